using System.Security.Cryptography;

namespace Offsite.Crypto.Age;

/// <summary>An age X25519 recipient, written as a lower-case Bech32 "age1…" string.</summary>
public sealed class X25519Recipient : IRecipient
{
    internal const string StanzaType = "X25519";
    internal static ReadOnlySpan<byte> Label => "age-encryption.org/v1/X25519"u8;
    private const string Hrp = "age";

    private readonly byte[] _publicKey;

    internal X25519Recipient(byte[] publicKey) => _publicKey = publicKey;

    internal ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Parses an "age1…" recipient; throws <see cref="FormatException"/> if it is not one.</summary>
    public static X25519Recipient Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (!Bech32.TryDecode(s, out string hrp, out byte[] data) || hrp != Hrp || data.Length != X25519.KeySize)
        {
            throw new FormatException("Not a valid age X25519 recipient (expected a lower-case age1… string).");
        }
        return new X25519Recipient(data);
    }

    public IReadOnlyList<Stanza> Wrap(ReadOnlySpan<byte> fileKey)
    {
        Span<byte> ephemeral = stackalloc byte[X25519.KeySize];
        Span<byte> shared = stackalloc byte[X25519.KeySize];
        Span<byte> wrappingKey = stackalloc byte[32];
        var share = new byte[X25519.KeySize];
        try
        {
            X25519.GeneratePrivateKey(ephemeral);
            X25519.GetPublicKey(ephemeral, share);
            if (!X25519.TryComputeSharedSecret(ephemeral, _publicKey, shared))
            {
                throw new CryptographicException("The X25519 recipient is a low-order point; refusing to encrypt to it.");
            }
            DeriveWrappingKey(shared, share, _publicKey, wrappingKey);
            byte[] body = FileKeyWrap.Wrap(wrappingKey, fileKey);
            return [new Stanza(StanzaType, [RawBase64.Encode(share)], body)];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeral);
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(wrappingKey);
        }
    }

    /// <summary>HKDF(ikm = shared secret, salt = ephemeral share || recipient, info = label).</summary>
    internal static void DeriveWrappingKey(ReadOnlySpan<byte> shared, ReadOnlySpan<byte> share, ReadOnlySpan<byte> recipient, Span<byte> key)
    {
        Span<byte> salt = stackalloc byte[2 * X25519.KeySize];
        share.CopyTo(salt);
        recipient.CopyTo(salt[X25519.KeySize..]);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, key, salt, Label);
    }

    public override string ToString() => Bech32.Encode(Hrp, _publicKey);
}
