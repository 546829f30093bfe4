using System.Security.Cryptography;

namespace Offsite.Crypto.Age;

/// <summary>An age X25519 identity (private key), written as an upper-case Bech32 "AGE-SECRET-KEY-1…" string.</summary>
public sealed class X25519Identity : IIdentity
{
    private const string Hrp = "AGE-SECRET-KEY-";

    private readonly byte[] _secretKey;

    private X25519Identity(byte[] secretKey)
    {
        _secretKey = secretKey;
        var publicKey = new byte[X25519.KeySize];
        X25519.GetPublicKey(secretKey, publicKey);
        Recipient = new X25519Recipient(publicKey);
    }

    /// <summary>The matching public recipient.</summary>
    public X25519Recipient Recipient { get; }

    public static X25519Identity Generate()
    {
        var secret = new byte[X25519.KeySize];
        X25519.GeneratePrivateKey(secret);
        return new X25519Identity(secret);
    }

    /// <summary>Parses an "AGE-SECRET-KEY-1…" identity; throws <see cref="FormatException"/> if it is not one.</summary>
    public static X25519Identity Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (!Bech32.TryDecode(s, out string hrp, out byte[] data) || hrp != Hrp)
        {
            throw new FormatException("Not a valid age X25519 identity (expected an upper-case AGE-SECRET-KEY-1… string).");
        }
        if (data.Length != X25519.KeySize)
        {
            CryptographicOperations.ZeroMemory(data);
            throw new FormatException("Not a valid age X25519 identity: wrong key length.");
        }
        return new X25519Identity(data);
    }

    public byte[]? Unwrap(IReadOnlyList<Stanza> stanzas)
    {
        ArgumentNullException.ThrowIfNull(stanzas);
        // In header order; stops at the first stanza that unwraps (a malformed one throws on the way).
        return stanzas.Select(UnwrapOne).FirstOrDefault(fileKey => fileKey is not null);
    }

    private byte[]? UnwrapOne(Stanza stanza)
    {
        // Type matching is case-sensitive: "x25519" is some other (unknown) stanza type, not ours.
        if (stanza.Type != X25519Recipient.StanzaType)
        {
            return null;
        }
        if (stanza.Args.Count != 1)
        {
            throw AgeException.Header("Invalid X25519 stanza: expected exactly one argument.");
        }
        byte[]? share = RawBase64.Decode(stanza.Args[0]);
        if (share is null || share.Length != X25519.KeySize)
        {
            throw AgeException.Header("Invalid X25519 stanza: malformed ephemeral share.");
        }

        Span<byte> shared = stackalloc byte[X25519.KeySize];
        Span<byte> wrappingKey = stackalloc byte[32];
        try
        {
            if (!X25519.TryComputeSharedSecret(_secretKey, share, shared))
            {
                throw AgeException.Header("Invalid X25519 stanza: ephemeral share is a low-order point.");
            }
            X25519Recipient.DeriveWrappingKey(shared, share, Recipient.PublicKey, wrappingKey);
            return FileKeyWrap.Unwrap(wrappingKey, stanza.Body, X25519Recipient.StanzaType);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(wrappingKey);
        }
    }

    /// <summary>The secret key in its canonical upper-case Bech32 form. Handle with care.</summary>
    public override string ToString() => Bech32.Encode(Hrp, _secretKey);
}
