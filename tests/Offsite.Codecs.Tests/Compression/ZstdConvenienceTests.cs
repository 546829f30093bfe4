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

    /// <summary>A frame written by the streaming compressor: no content size in its header, as index documents are.</summary>
    private static byte[] StreamedFrame(byte[] content)
    {
        var output = new MemoryStream();
        using (var zstd = new ZstdCompressStream(output, leaveOpen: true))
        {
            zstd.Write(content);
        }
        return output.ToArray();
    }

    [Theory]
    [InlineData(1, 0)]            // far too small a guess: grown as needed
    [InlineData(300_000, 300_000)] // exact
    [InlineData(300_000, 1 << 20)] // too large: the segment says how much is data
    public void DecompressLarge_returns_the_data_whatever_the_size_guess(int length, int guess)
    {
        byte[] input = TestData.Compressible(length);
        byte[] frame = StreamedFrame(input);
        Assert.True(ZstdDecompressor.GetFrameContentSize(frame) < 0, "the streamed frame declares its size");

        var decoded = Zstd.DecompressLarge(frame, guess);

        Assert.Equal(input, decoded.AsSpan().ToArray());
        Assert.True(decoded.Array!.Length >= Math.Min(guess, 512 * 1024 * 1024));
    }

    [Fact]
    public void DecompressLarge_refuses_truncated_empty_and_oversized_input()
    {
        byte[] frame = StreamedFrame(TestData.Compressible(200_000));
        Assert.Throws<InvalidDataException>(() => Zstd.DecompressLarge(frame.AsSpan(0, frame.Length / 2), 200_000));
        Assert.Throws<InvalidDataException>(() => Zstd.DecompressLarge([], 1000));
        Assert.Throws<InvalidDataException>(() => Zstd.DecompressLarge(frame, 1 << 20, maxSize: 199_999));
        Assert.Equal(200_000, Zstd.DecompressLarge(frame, 1 << 20, maxSize: 200_000).Count);
    }
}
