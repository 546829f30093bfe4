using System.Security.Cryptography;
using System.Text;
using Offsite.Core.Errors;
using Offsite.Crypto.Age;

namespace Offsite.Core.Keys;

/// <summary>
/// The secrets a client holds for one repository. A full key is the X25519 identity; the write
/// secrets (blob-id key, chunker seed) are derived from it with HKDF, so the identity is the only
/// secret to escrow. A write-only key carries the recipient and the derived write secrets but no
/// identity: it can add backups and cannot decrypt anything.
/// </summary>
public sealed class RepositoryKey
{
    private readonly X25519Identity? _identity;

    private RepositoryKey(string repositoryId, X25519Recipient recipient, X25519Identity? identity, byte[] blobIdKey, byte[] chunkerSeed)
    {
        RepositoryId = repositoryId;
        Recipient = recipient;
        _identity = identity;
        BlobIdKey = blobIdKey;
        ChunkerSeed = chunkerSeed;
    }

    public string RepositoryId { get; }
    public X25519Recipient Recipient { get; }
    public byte[] BlobIdKey { get; }
    public byte[] ChunkerSeed { get; }
    public bool CanRead => _identity is not null;

    /// <summary>
    /// True when the repository's config carries a verified MAC (or this key file says it must): key
    /// files written from this key then say so, and a config stripped of its MAC is refused.
    /// </summary>
    public bool ConfigAuthenticated { get; internal set; }

    /// <summary>The identity that decrypts objects; throws a clear error for a write-only key.</summary>
    public X25519Identity Identity => _identity ?? throw new OffsiteException(ErrorKind.KeyCannotRead,
        "this is a write-only key: it can add backups but cannot read, list, restore or check them. Use the repository passphrase or the full key (offsite key export --identity) where reading is allowed");

    public static RepositoryKey FromIdentity(X25519Identity identity, string repositoryId) =>
        new(repositoryId, identity.Recipient, identity, Derive(identity, repositoryId, "blob-id-key"), Derive(identity, repositoryId, "chunker-seed"));

    public static RepositoryKey WriteOnly(string repositoryId, X25519Recipient recipient, byte[] blobIdKey, byte[] chunkerSeed)
    {
        if (blobIdKey.Length != 32 || chunkerSeed.Length != 32)
        {
            throw new OffsiteException(ErrorKind.Usage, "the write-only key file is damaged: its secrets must be 32 bytes each");
        }
        return new(repositoryId, recipient, null, blobIdKey, chunkerSeed);
    }

    /// <summary>The same key without the identity (what <c>key export --write-only</c> hands out).</summary>
    public RepositoryKey ToWriteOnly() => new(RepositoryId, Recipient, null, BlobIdKey, ChunkerSeed) { ConfigAuthenticated = ConfigAuthenticated };

    // HKDF keyed by the identity's canonical encoding; the repository id as salt separates repositories
    // that share an identity, the label separates the two secrets.
    private static byte[] Derive(X25519Identity identity, string repositoryId, string label) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256,
            Encoding.ASCII.GetBytes(identity.ToString()), 32,
            Encoding.ASCII.GetBytes("offsite/v1/" + repositoryId),
            Encoding.ASCII.GetBytes(label));
}
