using Offsite.Codecs.Compression;
using Offsite.Codecs.Tests.Support;

namespace Offsite.Codecs.Tests.Compression;

public sealed class ZstdConvenienceTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(3_000_000)]
    public void Compress_then_decompress_round_trips(int length)
    {
        byte[] input = TestData.Compressible(length);
        byte[] frame = Zstd.Compress(input);
        Assert.Equal(length, ZstdDecompressor.GetFrameContentSize(frame));
        Assert.Equal(input, Zstd.Decompress(frame));
    }

    [Fact]
    public void Incompressible_data_still_produces_a_frame()
    {
        byte[] input = TestData.Random(10_000, seed: 5);
        byte[] frame = Zstd.Compress(input, level: 19);
        Assert.True(frame.Length > input.Length);
        Assert.Equal(input, Zstd.Decompress(frame));
    }

    [Fact]
    public void Concatenated_frames_decompress_to_concatenated_content()
    {
        byte[] a = TestData.Compressible(70_000);
        byte[] b = TestData.Random(5_000, seed: 6);
        byte[] both = [.. Zstd.Compress(a), .. Zstd.Compress(b)];
        Assert.Equal([.. a, .. b], Zstd.Decompress(both));
    }

    [Fact]
    public void Output_larger_than_max_size_is_rejected()
    {
        byte[] frame = Zstd.Compress(TestData.Compressible(100_000));
        Assert.Throws<InvalidDataException>(() => Zstd.Decompress(frame, maxSize: 99_999));
        Assert.Equal(100_000, Zstd.Decompress(frame, maxSize: 100_000).Length);
    }
}
