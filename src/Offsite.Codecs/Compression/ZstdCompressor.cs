namespace Offsite.Codecs.Compression;

/// <summary>
/// One-shot zstd compression that reuses a single native context across calls, because creating a
/// <c>ZSTD_CCtx</c> per chunk costs far more than compressing a small chunk. Not thread-safe: use one per worker.
/// </summary>
/// <remarks>
/// Output is a standard zstd frame with the decompressed size recorded in the frame header, so
/// <c>zstd -d</c> and <see cref="ZstdDecompressor.GetFrameContentSize"/> can size buffers up front.
/// No content checksum is written: chunks are content-addressed, so the caller verifies them by hash anyway.
/// </remarks>
public sealed class ZstdCompressor : IDisposable
{
    private readonly ZstdCompressionContextHandle _cctx;

    public ZstdCompressor(int level = 3)
    {
        int min = ZstdNative.MinCLevel();
        int max = ZstdNative.MaxCLevel();
        // zstd silently clamps out-of-range levels; reject them so a typo in config is not hidden.
        if (level < min || level > max)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"zstd level must be in [{min}, {max}].");
        }

        _cctx = ZstdContexts.CreateCompression();
        Level = level;
        ZstdErrors.ThrowIfOperationError(
            ZstdNative.CCtxSetParameter(_cctx, ZstdNative.CompressionLevelParameter, level));
        // Content size is on by default; set it explicitly because it is part of our on-disk contract.
        ZstdErrors.ThrowIfOperationError(
            ZstdNative.CCtxSetParameter(_cctx, ZstdNative.ContentSizeFlagParameter, 1));
    }

    public int Level { get; }

    /// <summary>Worst-case compressed size of <paramref name="srcLength"/> bytes (<c>ZSTD_compressBound</c>).</summary>
    public static int MaxCompressedLength(int srcLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(srcLength);
        ulong bound = ZstdNative.CompressBound((nuint)srcLength);
        if (bound > (ulong)Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(srcLength), srcLength, "Compressed bound exceeds the maximum array length.");
        }

        return (int)bound;
    }

    /// <summary>
    /// Compresses <paramref name="src"/> into <paramref name="dst"/>.
    /// </summary>
    /// <returns>
    /// Bytes written, or -1 when the frame would not be smaller than the input, in which case the caller
    /// should store the data raw (compressing already-compressed media only wastes CPU on restore).
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="dst"/> is shorter than <c>src.Length - 1</c>,
    /// the largest result that could be useful; a smaller buffer would make -1 ambiguous.</exception>
    public int TryCompress(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        ObjectDisposedException.ThrowIf(_cctx.IsClosed, this);
        if (src.IsEmpty)
        {
            return -1;
        }

        int useful = src.Length - 1;
        if (dst.Length < useful)
        {
            throw new ArgumentException($"Destination must hold at least {useful} bytes.", nameof(dst));
        }

        // Capping the capacity lets zstd give up as soon as the frame stops being a win.
        nuint result = CompressCore(src, dst[..useful]);
        if (ZstdErrors.IsDstSizeTooSmall(result))
        {
            return -1;
        }

        return (int)ZstdErrors.ThrowIfOperationError(result);
    }

    /// <summary>Always emits a frame (even if larger than the input); for callers that cannot store raw data.</summary>
    internal int Compress(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        ObjectDisposedException.ThrowIf(_cctx.IsClosed, this);
        return (int)ZstdErrors.ThrowIfOperationError(CompressCore(src, dst));
    }

    private unsafe nuint CompressCore(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            // ZSTD_compress2 knows the full input size, so it records it in the frame header.
            return ZstdNative.Compress2(_cctx, d, (nuint)dst.Length, s, (nuint)src.Length);
        }
    }

    public void Dispose() => _cctx.Dispose();
}
