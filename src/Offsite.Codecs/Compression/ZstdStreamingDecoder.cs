namespace Offsite.Codecs.Compression;

/// <summary>
/// Drives <c>ZSTD_decompressStream</c> over an in-memory input into a growing array. Kept separate from
/// <see cref="Zstd"/> because the end-of-input / truncation logic is subtle and deserves its own file.
/// </summary>
internal static class ZstdStreamingDecoder
{
    internal static byte[] DecodeAll(
        ZstdDecompressionContextHandle dctx, ReadOnlySpan<byte> src, int initialCapacity, int maxSize)
    {
        var (output, length) = DecodeAllInto(dctx, src, initialCapacity, maxSize);
        return length == output.Length ? output : output.AsSpan(0, length).ToArray();
    }

    /// <summary>Decodes every frame into one buffer grown as needed; returns it untrimmed with the decoded length.</summary>
    internal static unsafe (byte[] Buffer, int Length) DecodeAllInto(
        ZstdDecompressionContextHandle dctx, ReadOnlySpan<byte> src, int initialCapacity, int maxSize)
    {
        ZstdErrors.ThrowIfOperationError(ZstdNative.DCtxReset(dctx, ZstdNative.ResetSessionOnly));

        byte[] output = initialCapacity == 0 ? [] : new byte[initialCapacity];
        int outPos = 0;
        nuint inPos = 0;
        fixed (byte* s = src)
        {
            while (true)
            {
                nuint hint;
                var input = new ZstdNative.InBuffer { Src = s, Size = (nuint)src.Length, Pos = inPos };
                fixed (byte* d = output)
                {
                    var outBuf = new ZstdNative.OutBuffer { Dst = d, Size = (nuint)output.Length, Pos = (nuint)outPos };
                    hint = ZstdErrors.ThrowIfDataError(ZstdNative.DecompressStream(dctx, &outBuf, &input));
                    outPos = (int)outBuf.Pos;
                }

                inPos = input.Pos;
                bool inputExhausted = inPos == (nuint)src.Length;

                // 0 means "a frame just ended and everything is flushed"; with no input left, we are done.
                if (hint == 0 && inputExhausted)
                {
                    break;
                }

                if (outPos < output.Length)
                {
                    // The decoder stops early with spare output room only at a frame boundary (loop on to the next
                    // frame) or when it is starved of input, which with nothing left means the data was cut short.
                    if (inputExhausted)
                    {
                        throw new InvalidDataException("zstd: truncated input (frame is incomplete).");
                    }

                    continue;
                }

                output = Grow(output, maxSize);
            }
        }

        return (output, outPos);
    }

    private static byte[] Grow(byte[] output, int maxSize)
    {
        if (output.Length >= maxSize)
        {
            throw new InvalidDataException($"zstd: decompressed data exceeds the allowed {maxSize} bytes.");
        }

        long doubled = Math.Max(4096L, 2L * output.Length);
        var grown = new byte[(int)Math.Min(doubled, maxSize)];
        output.CopyTo(grown, 0);
        return grown;
    }
}
