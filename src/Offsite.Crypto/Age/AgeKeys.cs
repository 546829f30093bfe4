using System.Security.Cryptography;

namespace Offsite.Crypto.Age;

/// <summary>The HKDF-SHA-256 derivations of the age v1 spec that hang off the file key.</summary>
internal static class AgeKeys
{
    public const int KeySize = 32;

    /// <summary>Key for the header MAC: HKDF(ikm = file key, salt = empty, info = "header").</summary>
    public static void HeaderMacKey(ReadOnlySpan<byte> fileKey, Span<byte> key) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, key[..KeySize], ReadOnlySpan<byte>.Empty, "header"u8);

    /// <summary>Key for the payload STREAM: HKDF(ikm = file key, salt = payload nonce, info = "payload").</summary>
    public static void PayloadKey(ReadOnlySpan<byte> fileKey, ReadOnlySpan<byte> nonce, Span<byte> key) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, key[..KeySize], nonce, "payload"u8);
}
