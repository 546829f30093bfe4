namespace Offsite.Crypto.Age;

/// <summary>
/// Size arithmetic of the age payload. "Encrypted payload" means the chunk ciphertexts after the 16-byte
/// payload nonce, so a file is <c>AgeHeaderInfo.PayloadOffset + EncryptedPayloadLength(plaintext)</c> bytes.
/// </summary>
public static class AgeSizes
{
    /// <summary>Plaintext bytes per STREAM chunk.</summary>
    public const int ChunkSize = PayloadCipher.ChunkSize;

    /// <summary>Ciphertext bytes per full chunk (chunk plus Poly1305 tag).</summary>
    public const int CipherChunkSize = PayloadCipher.CipherChunkSize;

    /// <summary>Length of the chunk ciphertexts for a plaintext length (an empty plaintext still has one chunk).</summary>
    public static long EncryptedPayloadLength(long plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        return plaintextLength + (ChunkCount(plaintextLength) * PayloadCipher.TagSize);
    }

    /// <summary>Inverse of <see cref="EncryptedPayloadLength"/>; throws if no valid payload has this length.</summary>
    public static long PlaintextLength(long encryptedPayloadLength) =>
        TryGetPlaintextLength(encryptedPayloadLength, out long plain)
            ? plain
            : throw new ArgumentException($"{encryptedPayloadLength} is not a valid age payload length.", nameof(encryptedPayloadLength));

    internal static long ChunkCount(long plaintextLength) =>
        plaintextLength == 0 ? 1 : ((plaintextLength - 1) / ChunkSize) + 1;

    /// <summary>
    /// False for impossible lengths: no chunk at all, a trailing fragment shorter than a tag, or an empty final
    /// chunk after full ones (the spec forbids it, so a full final chunk is the only encoding).
    /// </summary>
    internal static bool TryGetPlaintextLength(long encryptedPayloadLength, out long plaintextLength)
    {
        plaintextLength = 0;
        if (encryptedPayloadLength < PayloadCipher.TagSize)
        {
            return false;
        }
        long chunks = ((encryptedPayloadLength - 1) / CipherChunkSize) + 1;
        long lastChunk = encryptedPayloadLength - ((chunks - 1) * CipherChunkSize);
        if (lastChunk < PayloadCipher.TagSize || (lastChunk == PayloadCipher.TagSize && chunks > 1))
        {
            return false;
        }
        plaintextLength = encryptedPayloadLength - (chunks * PayloadCipher.TagSize);
        return true;
    }
}
