using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Offsite.Core.Errors;
using Offsite.Core.Keys;

namespace Offsite.Core.Repository;

/// <summary>
/// Binds the plaintext config to the repository's keys (docs/format.md, "Config authentication"): its
/// <c>mac</c> field is HMAC-SHA256 over the config's canonical JSON without that field, under a key
/// derived from the blob-id key, which full and write-only keys both hold. A changed chunker, compression
/// level, pack size or retention then fails to open (exit 4) instead of silently changing how backups
/// are cut, while the config stays plain JSON anyone can read for disaster recovery.
/// </summary>
public static class ConfigAuthentication
{
    /// <summary>The MAC of <paramref name="config"/> under <paramref name="key"/>, as lowercase hex.</summary>
    public static string Compute(RepositoryConfig config, RepositoryKey key)
    {
        byte[] macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key.BlobIdKey, 32,
            Encoding.ASCII.GetBytes("offsite/v1/" + config.Id), Encoding.ASCII.GetBytes("config-mac"));
        return Convert.ToHexStringLower(HMACSHA256.HashData(macKey, CanonicalBytes(config)));
    }

    /// <summary>
    /// The bytes the MAC covers: the config as this version serializes it, without <c>mac</c>. Taken
    /// from the parsed values, so re-indenting the file by hand does not break it; changing a value does.
    /// </summary>
    public static byte[] CanonicalBytes(RepositoryConfig config) => RepositoryConfigJson.Write(config, canonical: true);

    /// <summary>Adds the MAC (init, migrate) and records that this key belongs to an authenticated config.</summary>
    public static void Seal(RepositoryConfig config, RepositoryKey key)
    {
        config.Mac = Compute(config, key);
        key.ConfigAuthenticated = true;
    }

    /// <summary>
    /// Checks the config against the key, on every open. A config without a MAC (made by an offsite
    /// before 0.x added it) is accepted with a warning, unless the key was issued for an authenticated
    /// config: then the MAC was stripped.
    /// </summary>
    public static void Verify(RepositoryConfig config, RepositoryKey key, string origin, ILogger logger)
    {
        if (config.Mac is null)
        {
            if (key.ConfigAuthenticated)
            {
                throw new OffsiteException(ErrorKind.RepositoryDamaged,
                    $"the repository config carries no authentication (\"mac\"), but {origin} was issued for a repository whose config does: the config was replaced or edited; restore it from a copy");
            }
            logger.LogWarning("the repository config is not authenticated (made by an older offsite): a changed chunker or compression setting would go unnoticed; run `offsite migrate` with the owner's key to add it (docs/format.md, \"Config authentication\")");
            return;
        }
        byte[] expected = Encoding.ASCII.GetBytes(Compute(config, key));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(config.Mac)))
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged,
                "the repository config fails authentication: a setting (chunker, compression, pack size, retention, id) was changed after the repository was created; restore the original config from a copy (docs/format.md, \"Config authentication\")");
        }
        key.ConfigAuthenticated = true;
    }
}
