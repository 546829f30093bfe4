namespace Offsite.Codecs.Compression;

/// <summary>
/// One-shot zstd decompression into a caller-provided buffer, reusing one native context across calls.
/// Not thread-safe: use one per worker.
/// </summary>
public sealed class ZstdDecompressor : IDisposable
{
    private readonly ZstdDecompressionContextHandle _dctx;

    public ZstdDecompressor()
    {
        _dctx = ZstdContexts.CreateDecompression();
    }

    /// <summary>
    /// Decompresses all frames in <paramref name="src"/> into <paramref name="dst"/> and returns the number of bytes written.
    /// </summary>
    /// <exception cref="InvalidDataException">The input is corrupt or truncated, or the output does not fit in
    /// <paramref name="dst"/>; the message carries zstd's error name.</exception>
    public unsafe int Decompress(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        ObjectDisposedException.ThrowIf(_dctx.IsClosed, this);
        // zstd treats zero input bytes as zero frames and "succeeds"; for us that is always a truncated object.
        if (src.IsEmpty)
        {
            throw new InvalidDataException("zstd: input is empty (truncated frame).");
        }

        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            nuint written = ZstdErrors.ThrowIfDataError(
                ZstdNative.DecompressDCtx(_dctx, d, (nuint)dst.Length, s, (nuint)src.Length));
            return (int)written;
        }
    }

    /// <summary>
    /// The decompressed size recorded in the header of the first frame of <paramref name="src"/>,
    /// or -1 when the frame does not record it (e.g. produced by streaming compression).
    /// </summary>
    /// <exception cref="InvalidDataException">The input does not start with a valid zstd frame header.</exception>
    public static unsafe long GetFrameContentSize(ReadOnlySpan<byte> src)
    {
        ulong size;
        fixed (byte* s = src)
        {
            size = ZstdNative.GetFrameContentSize(s, (nuint)src.Length);
        }

        return size switch
        {
            ZstdNative.ContentSizeUnknown => -1,
            ZstdNative.ContentSizeError => throw new InvalidDataException("zstd: invalid or truncated frame header."),
            > long.MaxValue => throw new InvalidDataException("zstd: frame content size out of range."),
            _ => (long)size,
        };
    }

    public void Dispose() => _dctx.Dispose();
}
