using System.Buffers;
using System.Security.Cryptography;

namespace Offsite.Crypto.Age;

/// <summary>
/// A verified header with the payload key, for random access into the payload without reading it all:
/// e.g. restoring one blob from a large pack with a ranged GET. Obtain it from <see cref="AgeFile.ReadHeader"/>.
/// Holds key material: dispose it when done. Not thread-safe.
/// </summary>
/// <remarks>
/// Typical use: fetch a prefix, <c>ReadHeader</c>; call <see cref="CipherRange(long, long, long)"/> for the
/// plaintext range; fetch that byte range of the file; pass it to <see cref="DecryptRange(long, int, ReadOnlySpan{byte}, long)"/>.
/// Every chunk touched is authenticated, including its position and whether it is the last chunk, so
/// ranges cannot be spliced from elsewhere in the file or from other files.
/// </remarks>
public sealed class AgeHeaderInfo : IDisposable
{
    private readonly PayloadCipher _cipher;
    private bool _disposed;

    internal AgeHeaderInfo(int payloadOffset, PayloadCipher cipher)
    {
        PayloadOffset = payloadOffset;
        _cipher = cipher;
    }

    /// <summary>Offset in the file of the first payload chunk's ciphertext (after header and 16-byte nonce).</summary>
    public int PayloadOffset { get; }

    /// <summary>Plaintext length of a file of <paramref name="fileLength"/> bytes; throws AgeException(PayloadFailure) if impossible.</summary>
    public long PlaintextLength(long fileLength)
    {
        if (fileLength < PayloadOffset || !AgeSizes.TryGetPlaintextLength(fileLength - PayloadOffset, out long plain))
        {
            throw AgeException.Payload($"A file length of {fileLength} bytes is not consistent with this header.");
        }
        return plain;
    }

    /// <summary>
    /// The byte range of the file to fetch so that <see cref="DecryptRange(long, int, ReadOnlySpan{byte}, long)"/>
    /// can produce plaintext [<paramref name="plainOffset"/>, +<paramref name="length"/>): whole chunks from the
    /// one containing the first byte through the one containing the last byte.
    /// </summary>
    public (long CipherOffset, long CipherLength) CipherRange(long plainOffset, long length, long fileLength)
    {
        long plainTotal = PlaintextLength(fileLength);
        return CipherRange(PayloadOffset, plainOffset, length, fileLength, plainTotal);
    }

    /// <summary>Static form of <see cref="CipherRange(long, long, long)"/> for callers that only kept the payload offset.</summary>
    public static (long CipherOffset, long CipherLength) CipherRange(int payloadOffset, long plainOffset, long length, long fileLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadOffset);
        if (fileLength < payloadOffset || !AgeSizes.TryGetPlaintextLength(fileLength - payloadOffset, out long plainTotal))
        {
            throw AgeException.Payload($"A file length of {fileLength} bytes is not consistent with the payload offset.");
        }
        return CipherRange(payloadOffset, plainOffset, length, fileLength, plainTotal);
    }

    private static (long, long) CipherRange(int payloadOffset, long plainOffset, long length, long fileLength, long plainTotal)
    {
        CheckRange(plainOffset, length, plainTotal);
        long first = plainOffset / AgeSizes.ChunkSize;
        long lastChunk = length == 0 ? first - 1 : (plainOffset + length - 1) / AgeSizes.ChunkSize;
        long start = payloadOffset + (first * AgeSizes.CipherChunkSize);
        long end = Math.Min(payloadOffset + ((lastChunk + 1) * AgeSizes.CipherChunkSize), fileLength);
        return (start, Math.Max(0, end - start));
    }

    /// <summary>
    /// Decrypts plaintext [<paramref name="plainOffset"/>, +<paramref name="length"/>).
    /// <paramref name="cipherBytes"/> must start at the offset returned by <see cref="CipherRange(long, long, long)"/>
    /// and hold at least the length returned there (extra bytes are ignored); <paramref name="fileLength"/> is
    /// the total file length, needed to know which chunk is the last. Throws AgeException(Truncated) if
    /// <paramref name="cipherBytes"/> is too short and AgeException(PayloadFailure) if any chunk fails to
    /// authenticate (no plaintext is returned then).
    /// </summary>
    public byte[] DecryptRange(long plainOffset, int length, ReadOnlySpan<byte> cipherBytes, long fileLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var result = new byte[length];
        DecryptRange(plainOffset, cipherBytes, fileLength, result);
        return result;
    }

    /// <summary>As <see cref="DecryptRange(long, int, ReadOnlySpan{byte}, long)"/>, writing destination.Length bytes into <paramref name="destination"/>.</summary>
    public void DecryptRange(long plainOffset, ReadOnlySpan<byte> cipherBytes, long fileLength, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long plainTotal = PlaintextLength(fileLength);
        (long start, long cipherLength) = CipherRange(PayloadOffset, plainOffset, destination.Length, fileLength, plainTotal);
        if (destination.IsEmpty)
        {
            return;
        }
        if (cipherBytes.Length < cipherLength)
        {
            throw new AgeException(AgeErrorKind.Truncated, $"Need {cipherLength} ciphertext bytes for this range, got {cipherBytes.Length}.");
        }

        long totalChunks = AgeSizes.ChunkCount(plainTotal);
        long chunk = (start - PayloadOffset) / AgeSizes.CipherChunkSize;
        int inChunk = (int)(plainOffset - (chunk * AgeSizes.ChunkSize));
        int written = 0;
        int cipherPos = 0;
        byte[] plain = ArrayPool<byte>.Shared.Rent(AgeSizes.ChunkSize);
        try
        {
            while (written < destination.Length)
            {
                bool last = chunk == totalChunks - 1;
                int size = last ? (int)(fileLength - start - cipherPos) : AgeSizes.CipherChunkSize;
                int chunkPlain = size - PayloadCipher.TagSize;
                int n = Math.Min(chunkPlain - inChunk, destination.Length - written);
                // Whole chunks inside the range decrypt in place; partial ones go through the scratch buffer.
                bool direct = inChunk == 0 && n == chunkPlain;
                Span<byte> target = direct ? destination.Slice(written, n) : plain;
                if (!_cipher.TryDecryptChunk(chunk, last, cipherBytes.Slice(cipherPos, size), target))
                {
                    CryptographicOperations.ZeroMemory(destination);
                    throw AgeException.Payload($"Payload chunk {chunk} failed to authenticate.");
                }
                if (!direct)
                {
                    plain.AsSpan(inChunk, n).CopyTo(destination[written..]);
                }
                written += n;
                cipherPos += size;
                inChunk = 0;
                chunk++;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain.AsSpan(0, AgeSizes.ChunkSize));
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>Authenticates the single empty final chunk of an empty file.</summary>
    internal void VerifyEmptyPayload(ReadOnlySpan<byte> payload)
    {
        if (!_cipher.TryDecryptChunk(0, last: true, payload, Span<byte>.Empty))
        {
            throw AgeException.Payload("The empty payload chunk failed to authenticate.");
        }
    }

    private static void CheckRange(long plainOffset, long length, long plainTotal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plainOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (plainOffset > plainTotal || length > plainTotal - plainOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Range [{plainOffset}, +{length}) exceeds the plaintext length {plainTotal}.");
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _cipher.Dispose();
        }
    }
}
