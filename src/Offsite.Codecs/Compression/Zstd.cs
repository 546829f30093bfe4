using System.Buffers;

namespace Offsite.Codecs.Compression;

/// <summary>
/// Allocation-happy convenience wrappers for small metadata objects (index files, trees), where simplicity
/// matters more than reusing contexts and buffers. Bulk chunk data should use <see cref="ZstdCompressor"/>
/// and <see cref="ZstdDecompressor"/> directly.
/// </summary>
public static class Zstd
{
    public const int DefaultMaxDecompressedSize = 512 * 1024 * 1024;

    // Used only when a frame does not declare its size; small because metadata objects usually are.
    private const int UnknownSizeInitialCapacity = 64 * 1024;

    /// <summary>Compresses into a single frame that records the content size. Never returns raw data.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> src, int level = 3)
    {
        using var compressor = new ZstdCompressor(level);
        byte[] scratch = ArrayPool<byte>.Shared.Rent(ZstdCompressor.MaxCompressedLength(src.Length));
        try
        {
            int written = compressor.Compress(src, scratch);
            return scratch.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Decompresses every frame in <paramref name="src"/>. Uses streaming decompression so frames without a
    /// recorded content size (e.g. <c>zstd</c> reading a pipe) work too.
    /// </summary>
    /// <exception cref="InvalidDataException">The input is corrupt or truncated, or would decompress to more than
    /// <paramref name="maxSize"/> bytes (a guard against decompression bombs in untrusted repositories).</exception>
    public static byte[] Decompress(ReadOnlySpan<byte> src, int maxSize = DefaultMaxDecompressedSize)
    {
        int initial = InitialCapacity(src, Math.Min(UnknownSizeInitialCapacity, maxSize), maxSize);
        using ZstdDecompressionContextHandle dctx = ZstdContexts.CreateDecompression();
        return ZstdStreamingDecoder.DecodeAll(dctx, src, initial, maxSize);
    }

    /// <summary>
    /// <see cref="Decompress"/> for large documents read once: frames that do not declare their size start
    /// from <paramref name="expectedSize"/> instead of 64 KiB, and the result is the decoding buffer itself
    /// (possibly longer than the data), not a trimmed copy. A 10 MB index document decoded by doubling from
    /// 64 KiB and then trimmed left ~40 MB of large arrays behind; with a close guess, one.
    /// </summary>
    public static ArraySegment<byte> DecompressLarge(ReadOnlySpan<byte> src, int expectedSize, int maxSize = DefaultMaxDecompressedSize)
    {
        int initial = InitialCapacity(src, Math.Min(Math.Max(expectedSize, UnknownSizeInitialCapacity), maxSize), maxSize);
        using ZstdDecompressionContextHandle dctx = ZstdContexts.CreateDecompression();
        var (buffer, length) = ZstdStreamingDecoder.DecodeAllInto(dctx, src, initial, maxSize);
        return new ArraySegment<byte>(buffer, 0, length);
    }

    /// <summary>
    /// The decoding buffer's first size: the size the first frame declares, else <paramref name="unknown"/>.
    /// The declared size is only a capacity hint (later frames may add more); the decoder itself verifies
    /// that each frame produces exactly what its header declares.
    /// </summary>
    private static int InitialCapacity(ReadOnlySpan<byte> src, int unknown, int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        if (src.IsEmpty)
        {
            throw new InvalidDataException("zstd: input is empty (truncated frame).");
        }
        long declared = ZstdDecompressor.GetFrameContentSize(src);
        if (declared > maxSize)
        {
            throw new InvalidDataException($"zstd: frame declares {declared} bytes, more than the allowed {maxSize}.");
        }
        return declared >= 0 ? (int)declared : unknown;
    }
}
