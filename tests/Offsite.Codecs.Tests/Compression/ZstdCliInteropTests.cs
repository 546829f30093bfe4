using Offsite.Codecs.Compression;
using Offsite.Codecs.Tests.Support;

namespace Offsite.Codecs.Tests.Compression;

/// <summary>Proves our frames are standard zstd in both directions, using the reference CLI.</summary>
public sealed class ZstdCliInteropTests
{
    [Fact]
    public void Our_frames_decompress_with_the_zstd_cli()
    {
        byte[] input = TestData.Compressible(1_500_000);
        using var compressor = new ZstdCompressor(level: 5);
        var frame = new byte[input.Length];
        int written = compressor.TryCompress(input, frame);

        byte[] output = ZstdCli.Run(frame.AsSpan(0, written).ToArray(), "-d", "-q", "-c");
        Assert.Equal(input, output);
    }

    [Fact]
    public void Cli_frames_from_a_file_carry_content_size_and_decompress()
    {
        byte[] input = TestData.Compressible(800_000);
        string path = Path.Combine(Path.GetTempPath(), $"offsite-zstd-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllBytes(path, input);
            byte[] frame = ZstdCli.Run([], "-q", "-c", "-19", path);

            Assert.Equal(input.Length, ZstdDecompressor.GetFrameContentSize(frame));
            Assert.Equal(input, Zstd.Decompress(frame));
            using var decompressor = new ZstdDecompressor();
            var output = new byte[input.Length];
            Assert.Equal(input.Length, decompressor.Decompress(frame, output));
            Assert.Equal(input, output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Cli_frames_from_a_pipe_have_unknown_size_and_still_decompress()
    {
        // Several MiB so the output buffer has to grow repeatedly from its small initial guess.
        byte[] input = TestData.Compressible(5_000_000);
        byte[] frame = ZstdCli.Run(input, "-q", "-c", "-3");

        Assert.Equal(-1, ZstdDecompressor.GetFrameContentSize(frame));
        Assert.Equal(input, Zstd.Decompress(frame));
        Assert.Throws<InvalidDataException>(() => Zstd.Decompress(frame.AsSpan(0, frame.Length - 10)));
        Assert.Throws<InvalidDataException>(() => Zstd.Decompress(frame, maxSize: input.Length - 1));
    }
}
