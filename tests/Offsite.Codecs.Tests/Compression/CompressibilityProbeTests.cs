using System.IO.Compression;
using Offsite.Codecs.Compression;
using Offsite.Codecs.Tests.Support;

namespace Offsite.Codecs.Tests.Compression;

/// <summary>
/// The probe skips zstd only for data zstd cannot shrink (random, gzip, zstd output), never for text,
/// code, zeros or a chunk with a compressible part among the windows it samples.
/// </summary>
public sealed class CompressibilityProbeTests
{
    private const int Chunk = 1 << 20;

    public static TheoryData<string> Incompressible => new() { "random", "gzip", "zstd" };

    public static TheoryData<string> Compressible => new() { "text", "zeros", "runtime", "random-with-text-tail", "text-with-random-head" };

    [Theory]
    [MemberData(nameof(Incompressible))]
    public void Data_that_zstd_cannot_shrink_is_skipped(string kind)
    {
        byte[] data = Make(kind);

        Assert.True(CompressibilityProbe.LooksIncompressible(data));
        // The skip loses nothing: zstd itself saves under 1% on such data.
        using var compressor = new ZstdCompressor();
        int compressed = compressor.TryCompress(data, new byte[ZstdCompressor.MaxCompressedLength(data.Length)]);
        Assert.True(compressed < 0 || compressed > data.Length * 0.99, $"{kind}: zstd made {compressed} of {data.Length}");
    }

    [Theory]
    [MemberData(nameof(Compressible))]
    public void Data_with_anything_compressible_in_the_samples_is_compressed(string kind) =>
        Assert.False(CompressibilityProbe.LooksIncompressible(Make(kind)));

    [Fact]
    public void Small_chunks_are_always_compressed() =>
        Assert.False(CompressibilityProbe.LooksIncompressible(TestData.Random(CompressibilityProbe.MinLength - 1, 5)));

    [Fact]
    public void A_chunk_of_exactly_the_minimum_length_is_probed() =>
        Assert.True(CompressibilityProbe.LooksIncompressible(TestData.Random(CompressibilityProbe.MinLength, 6)));

    private static byte[] Make(string kind)
    {
        switch (kind)
        {
            case "random":
                return TestData.Random(Chunk, 1);
            case "zeros":
                return new byte[Chunk];
            case "text":
                return Text(Chunk);
            case "runtime":
                // Machine code and metadata: a real binary of the runtime, not made-up bytes.
                return File.ReadAllBytes(typeof(object).Assembly.Location).AsSpan(0, Chunk).ToArray();
            case "gzip":
                {
                    using var buffer = new MemoryStream();
                    using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
                    {
                        // A real binary, as gzip files usually hold; gzip of very repetitive text keeps more structure (~7.85 bits).
                        gzip.Write(File.ReadAllBytes(typeof(object).Assembly.Location));
                    }
                    return buffer.ToArray().AsSpan(0, Math.Min(Chunk, (int)buffer.Length)).ToArray();
                }
            case "zstd":
                {
                    byte[] text = Text(8 * Chunk);
                    using var compressor = new ZstdCompressor(level: 12);
                    byte[] frame = new byte[ZstdCompressor.MaxCompressedLength(text.Length)];
                    int n = compressor.TryCompress(text, frame);
                    Assert.True(n >= Chunk / 2, $"zstd output {n} bytes");
                    return frame.AsSpan(0, Math.Min(n, Chunk)).ToArray();
                }
            case "random-with-text-tail":
                {
                    byte[] data = TestData.Random(Chunk, 2);
                    Text(8192).CopyTo(data.AsSpan(Chunk - 8192));
                    return data;
                }
            case "text-with-random-head":
                {
                    byte[] data = Text(Chunk);
                    TestData.Random(Chunk - 8192, 3).CopyTo(data, 0);
                    return data;
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Log-like lines with varying numbers: compresses to well under half with zstd.</summary>
    private static byte[] Text(int length)
    {
        var text = new System.Text.StringBuilder(length + 100);
        var random = new Random(4);
        string[] words = ["backup", "restore", "pack", "index", "snapshot", "chunk", "error", "ok", "warning", "client"];
        while (text.Length < length)
        {
            text.Append($"2026-12-03T13:{random.Next(60):00}:{random.Next(60):00}Z {words[random.Next(words.Length)]} id={random.Next(1_000_000)} {words[random.Next(words.Length)]}\n");
        }
        return System.Text.Encoding.ASCII.GetBytes(text.ToString(0, length));
    }
}
