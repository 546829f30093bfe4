using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Offsite.Crypto.Age;

/// <summary>
/// The age payload STREAM construction: ChaCha20-Poly1305 over 64 KiB chunks with nonce =
/// 11-byte big-endian chunk counter || last-chunk flag. One AEAD instance is reused for all chunks of a
/// file, and nonces live on the stack, so per-chunk work allocates nothing.
/// </summary>
internal sealed class PayloadCipher : IDisposable
{
    public const int ChunkSize = 64 * 1024;
    public const int TagSize = 16;
    public const int CipherChunkSize = ChunkSize + TagSize;
    /// <summary>Size of the random nonce between header and payload (the HKDF salt for the payload key).</summary>
    public const int FileNonceSize = 16;

    private readonly ChaCha20Poly1305 _aead;

    public PayloadCipher(ReadOnlySpan<byte> fileKey, ReadOnlySpan<byte> fileNonce)
    {
        Span<byte> key = stackalloc byte[AgeKeys.KeySize];
        try
        {
            AgeKeys.PayloadKey(fileKey, fileNonce, key);
            _aead = new ChaCha20Poly1305(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Encrypts one chunk; <paramref name="output"/> receives ciphertext || tag.</summary>
    public void EncryptChunk(long index, bool last, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        Span<byte> nonce = stackalloc byte[12];
        BuildNonce(index, last, nonce);
        _aead.Encrypt(nonce, plaintext, output[..plaintext.Length], output.Slice(plaintext.Length, TagSize));
    }

    /// <summary>
    /// Decrypts ciphertext || tag into <paramref name="plaintext"/> (length = ciphertext length − 16).
    /// Returns false, with the output cleared, when the chunk does not authenticate under this index/flag.
    /// </summary>
    public bool TryDecryptChunk(long index, bool last, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (ciphertext.Length < TagSize)
        {
            return false;
        }
        int length = ciphertext.Length - TagSize;
        Span<byte> nonce = stackalloc byte[12];
        BuildNonce(index, last, nonce);
        try
        {
            _aead.Decrypt(nonce, ciphertext[..length], ciphertext[length..], plaintext[..length]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // Expected for corrupt chunks and when probing the last-chunk flag; callers decide what it means.
            plaintext[..length].Clear();
            return false;
        }
    }

    private static void BuildNonce(long index, bool last, Span<byte> nonce)
    {
        // The counter is 88 bits; a long covers any file we could ever write (2^63 chunks).
        nonce[..3].Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[3..11], index);
        nonce[11] = last ? (byte)1 : (byte)0;
    }

    public void Dispose() => _aead.Dispose();
}
