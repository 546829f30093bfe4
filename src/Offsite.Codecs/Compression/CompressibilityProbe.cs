namespace Offsite.Codecs.Compression;

/// <summary>
/// Tells, from a few samples, that a chunk will not compress (gzip, JPEG, video, encrypted data),
/// so it is stored raw without a zstd pass to find out. The samples are windows spread over the
/// chunk; when every window's byte entropy is close to 8 bits, the chunk is taken as incompressible.
/// A window of text or code (4-6 bits) or of zeros anywhere in the samples lets zstd try.
/// </summary>
/// <remarks>
/// Reading 16 KiB of a 1 MiB chunk costs about 1% of compressing it; zstd spends ~0.6 ms on a MiB of
/// random data. What byte statistics cannot see is repetition of high-entropy data within a chunk
/// (the same random block twice, closer together than a chunk): such a chunk is stored raw where zstd
/// would have found the repeat. Repeats longer than a chunk are still deduplicated.
/// </remarks>
public static class CompressibilityProbe
{
    /// <summary>Chunks smaller than this are always compressed: sampling would cover most of them anyway.</summary>
    public const int MinLength = 64 * 1024;
    private const int Windows = 4;
    private const int WindowLength = 4096;
    /// <summary>
    /// Bits per byte above which a window counts as incompressible. The plug-in estimate of a uniformly
    /// random 4 KiB window is 8 − 255/(2·4096·ln 2) ≈ 7.955 bits, gzip output measures ~7.95; text is 4-5.
    /// </summary>
    private const double IncompressibleBits = 7.9;

    /// <summary>True when <paramref name="data"/> looks incompressible: store it raw without trying zstd.</summary>
    public static bool LooksIncompressible(ReadOnlySpan<byte> data)
    {
        if (data.Length < MinLength)
        {
            return false;
        }
        Span<int> counts = stackalloc int[256];
        int stride = (data.Length - WindowLength) / (Windows - 1);
        for (int w = 0; w < Windows; w++)
        {
            counts.Clear();
            foreach (byte b in data.Slice(w * stride, WindowLength))
            {
                counts[b]++;
            }
            if (EntropyBits(counts, WindowLength) < IncompressibleBits)
            {
                return false;
            }
        }
        return true;
    }

    private static double EntropyBits(ReadOnlySpan<int> counts, int total)
    {
        double bits = 0;
        foreach (int count in counts)
        {
            if (count == 0) continue;
            double p = (double)count / total;
            bits -= p * Math.Log2(p);
        }
        return bits;
    }
}
