using Offsite.Codecs.Compression;
using Offsite.Codecs.Tests.Support;

namespace Offsite.Codecs.Tests.Compression;

public sealed class ZstdCompressorTests
{
    private static byte[] RoundTrip(ZstdCompressor compressor, byte[] input)
    {
        var frame = new byte[ZstdCompressor.MaxCompressedLength(input.Length)];
        int written = compressor.TryCompress(input, frame);
        Assert.True(written > 0, "expected compressible input");
        Assert.True(written < input.Length);

        using var decompressor = new ZstdDecompressor();
        var output = new byte[input.Length];
        Assert.Equal(input.Length, decompressor.Decompress(frame.AsSpan(0, written), output));
        return output;
    }

    [Fact]
    public void Empty_input_is_not_worth_compressing()
    {
        using var compressor = new ZstdCompressor();
        Assert.Equal(-1, compressor.TryCompress([], []));
    }

    [Fact]
    public void One_byte_is_not_worth_compressing()
    {
        using var compressor = new ZstdCompressor();
        Assert.Equal(-1, compressor.TryCompress([7], new byte[ZstdCompressor.MaxCompressedLength(1)]));
    }

    [Fact]
    public void Random_data_is_reported_incompressible()
    {
        byte[] input = TestData.Random(256 * 1024, seed: 1);
        using var compressor = new ZstdCompressor();
        Assert.Equal(-1, compressor.TryCompress(input, new byte[ZstdCompressor.MaxCompressedLength(input.Length)]));
        // A buffer of exactly src.Length - 1 is enough to ask the question.
        Assert.Equal(-1, compressor.TryCompress(input, new byte[input.Length - 1]));
    }

    [Fact]
    public void Ten_megabytes_of_compressible_data_round_trip_with_content_size_in_header()
    {
        byte[] input = TestData.Compressible(10 * 1024 * 1024);
        using var compressor = new ZstdCompressor();
        var frame = new byte[input.Length];
        int written = compressor.TryCompress(input, frame);

        Assert.InRange(written, 1, input.Length / 4);
        Assert.Equal(input.Length, ZstdDecompressor.GetFrameContentSize(frame.AsSpan(0, written)));
        Assert.Equal(input, RoundTrip(compressor, input));
    }

    [Fact]
    public void Compressor_is_reusable_across_inputs_of_different_sizes()
    {
        using var compressor = new ZstdCompressor(level: 1);
        foreach (int size in new[] { 100_000, 1_000, 3_000_000, 50_000 })
        {
            byte[] input = TestData.Compressible(size);
            Assert.Equal(input, RoundTrip(compressor, input));
        }
    }

    [Fact]
    public void Destination_shorter_than_useful_size_is_rejected()
    {
        using var compressor = new ZstdCompressor();
        Assert.Throws<ArgumentException>(() => compressor.TryCompress(new byte[100], new byte[50]));
    }

    [Theory]
    [InlineData(-1_000_000)]
    [InlineData(1000)]
    public void Out_of_range_level_is_rejected(int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZstdCompressor(level));
    }

    [Fact]
    public void Use_after_dispose_throws()
    {
        var compressor = new ZstdCompressor();
        compressor.Dispose();
        compressor.Dispose();
        Assert.Throws<ObjectDisposedException>(() => compressor.TryCompress(new byte[10], new byte[100]));
    }

    [Fact]
    public void Max_compressed_length_covers_the_input()
    {
        Assert.True(ZstdCompressor.MaxCompressedLength(0) > 0);
        Assert.True(ZstdCompressor.MaxCompressedLength(1 << 20) > 1 << 20);
        Assert.Throws<ArgumentOutOfRangeException>(() => ZstdCompressor.MaxCompressedLength(-1));
    }
}
