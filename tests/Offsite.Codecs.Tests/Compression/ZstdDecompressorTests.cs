using Offsite.Codecs.Compression;
using Offsite.Codecs.Tests.Support;

namespace Offsite.Codecs.Tests.Compression;

public sealed class ZstdDecompressorTests
{
    private static readonly byte[] Original = TestData.Compressible(200_000);
    private static readonly byte[] Frame = Zstd.Compress(Original);

    [Fact]
    public void Decompresses_into_a_larger_buffer_and_reports_the_length()
    {
        using var decompressor = new ZstdDecompressor();
        var output = new byte[Original.Length + 1000];
        int written = decompressor.Decompress(Frame, output);
        Assert.Equal(Original, output.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void Garbage_input_throws_invalid_data_with_zstd_error_name()
    {
        using var decompressor = new ZstdDecompressor();
        byte[] garbage = TestData.Random(1000, seed: 3);
        var ex = Assert.Throws<InvalidDataException>(() => decompressor.Decompress(garbage, new byte[10_000]));
        Assert.StartsWith("zstd: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("frame descriptor", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Corrupted_block_data_throws_invalid_data()
    {
        byte[] corrupt = (byte[])Frame.Clone();
        corrupt.AsSpan(20, 64).Fill(0xFF);
        using var decompressor = new ZstdDecompressor();
        Assert.Throws<InvalidDataException>(() => decompressor.Decompress(corrupt, new byte[Original.Length]));
        Assert.Throws<InvalidDataException>(() => Zstd.Decompress(corrupt));
    }

    [Fact]
    public void Too_small_destination_throws_invalid_data()
    {
        using var decompressor = new ZstdDecompressor();
        var ex = Assert.Throws<InvalidDataException>(() => decompressor.Decompress(Frame, new byte[Original.Length - 1]));
        Assert.Contains("too small", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    // Non-negative: keep that many leading bytes; negative: drop that many trailing bytes.
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(-1)]
    [InlineData(-100)]
    public void Truncated_input_throws(int keep)
    {
        byte[] truncated = Frame.AsSpan(0, keep >= 0 ? keep : Frame.Length + keep).ToArray();
        using var decompressor = new ZstdDecompressor();
        Assert.Throws<InvalidDataException>(() => decompressor.Decompress(truncated, new byte[Original.Length]));
        Assert.Throws<InvalidDataException>(() => Zstd.Decompress(truncated));
    }

    [Fact]
    public void Frame_content_size_is_read_from_header()
    {
        Assert.Equal(Original.Length, ZstdDecompressor.GetFrameContentSize(Frame));
        Assert.Throws<InvalidDataException>(() => ZstdDecompressor.GetFrameContentSize(TestData.Random(100, seed: 4)));
        Assert.Throws<InvalidDataException>(() => ZstdDecompressor.GetFrameContentSize(Frame.AsSpan(0, 2)));
    }

    [Fact]
    public void Decompressor_is_reusable_after_an_error()
    {
        using var decompressor = new ZstdDecompressor();
        Assert.Throws<InvalidDataException>(() => decompressor.Decompress(Frame.AsSpan(0, 50), new byte[Original.Length]));
        var output = new byte[Original.Length];
        Assert.Equal(Original.Length, decompressor.Decompress(Frame, output));
        Assert.Equal(Original, output);
    }
}
