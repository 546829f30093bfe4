using System.Text;
using Offsite.Core.Errors;
using Offsite.Crypto.Age;

namespace Offsite.Core.Keys;

/// <summary>
/// The text form of a key. A full key file is a valid age identity file (so <c>age -d -i</c> can
/// read any object with it) with metadata in comment lines; a write-only key file has only
/// comment lines. Format in docs/format.md, "Key files".
/// </summary>
public static class KeyFile
{
    private const string FieldPrefix = "# offsite-";
    private const string IdentityPrefix = "AGE-SECRET-KEY-1";
    private const string ConfigField = "config";
    private const string ConfigAuthenticatedValue = "authenticated";

    public static string FormatFull(RepositoryKey key, string? note = null)
    {
        var sb = new StringBuilder();
        sb.Append("# Offsite repository key: the X25519 identity that decrypts every object of the repository.\n");
        sb.Append("# Keep it offline. Works with `age -d -i <this file>`.\n");
        if (note is not null)
        {
            sb.Append("# ").Append(note).Append('\n');
        }
        sb.Append(FieldPrefix).Append("repository: ").Append(key.RepositoryId).Append('\n');
        AppendConfigMarker(sb, key);
        sb.Append("# public key: ").Append(key.Recipient).Append('\n');
        sb.Append(key.Identity).Append('\n');
        return sb.ToString();
    }

    public static string FormatWriteOnly(RepositoryKey key)
    {
        var sb = new StringBuilder();
        sb.Append("# Offsite write-only key: adds backups to the repository, cannot read or delete anything.\n");
        sb.Append(FieldPrefix).Append("repository: ").Append(key.RepositoryId).Append('\n');
        sb.Append(FieldPrefix).Append("recipient: ").Append(key.Recipient).Append('\n');
        sb.Append(FieldPrefix).Append("blob-id-key: ").Append(Convert.ToBase64String(key.BlobIdKey)).Append('\n');
        sb.Append(FieldPrefix).Append("chunker-seed: ").Append(Convert.ToBase64String(key.ChunkerSeed)).Append('\n');
        AppendConfigMarker(sb, key);
        return sb.ToString();
    }

    /// <summary>Keys of a repository with an authenticated config say so: a config stripped of its MAC is then refused.</summary>
    private static void AppendConfigMarker(StringBuilder sb, RepositoryKey key)
    {
        if (key.ConfigAuthenticated)
        {
            sb.Append(FieldPrefix).Append(ConfigField).Append(": ").Append(ConfigAuthenticatedValue).Append('\n');
        }
    }

    /// <summary>
    /// Parses a key file, or a bare identity (what a <c>--key-command</c> for a KMS prints).
    /// <paramref name="repositoryId"/> is the id of the repository being opened.
    /// </summary>
    public static RepositoryKey Parse(string text, string repositoryId, string origin)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        X25519Identity? identity = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r').Trim();
            if (line.StartsWith(FieldPrefix, StringComparison.Ordinal))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    fields[line[FieldPrefix.Length..colon]] = line[(colon + 1)..].Trim();
                }
            }
            else if (line.StartsWith(IdentityPrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (identity is not null)
                {
                    throw new OffsiteException(ErrorKind.Usage, $"{origin}: holds more than one identity; give the one for this repository");
                }
                identity = ParseIdentity(line, origin);
            }
        }

        if (fields.TryGetValue("repository", out string? id) && id != repositoryId)
        {
            var (theirs, ours) = Repository.IdPrefixes.Distinguish(id, repositoryId);
            throw new OffsiteException(ErrorKind.WrongKey, $"{origin}: is a key for repository {theirs}, not for this repository ({ours}): wrong key, or the config's id was changed");
        }
        var key = ParseSecrets(fields, identity, repositoryId, origin);
        key.ConfigAuthenticated = fields.TryGetValue(ConfigField, out string? config) && config == ConfigAuthenticatedValue;
        return key;
    }

    private static RepositoryKey ParseSecrets(Dictionary<string, string> fields, X25519Identity? identity, string repositoryId, string origin)
    {
        if (identity is not null)
        {
            return RepositoryKey.FromIdentity(identity, repositoryId);
        }
        if (fields.TryGetValue("recipient", out string? recipient)
            && fields.TryGetValue("blob-id-key", out string? blobKey)
            && fields.TryGetValue("chunker-seed", out string? seed))
        {
            try
            {
                return RepositoryKey.WriteOnly(repositoryId, X25519Recipient.Parse(recipient), Convert.FromBase64String(blobKey), Convert.FromBase64String(seed));
            }
            catch (Exception e) when (e is FormatException or AgeException or ArgumentException)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{origin}: the write-only key is damaged ({e.Message})", e);
            }
        }
        throw new OffsiteException(ErrorKind.Usage, $"{origin}: is not an offsite key (expected an AGE-SECRET-KEY-1… identity or a write-only key from `offsite key export --write-only`)");
    }

    private static X25519Identity ParseIdentity(string line, string origin)
    {
        try
        {
            return X25519Identity.Parse(line);
        }
        catch (Exception e) when (e is FormatException or AgeException or ArgumentException)
        {
            // Never echo the line: it is a secret, even when malformed.
            throw new OffsiteException(ErrorKind.Usage, $"{origin}: the identity line is malformed", e);
        }
    }
}
