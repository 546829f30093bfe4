using Offsite.Codecs.Compression;
using Offsite.Codecs.Tests.Support;

namespace Offsite.Codecs.Tests.Compression;

public sealed class ZstdCompressStreamTests
{
    [Fact]
    public void Written_in_pieces_it_is_one_frame_that_the_zstd_cli_and_Decompress_read()
    {
        byte[] input = TestData.Compressible(3_000_000);
        var sink = new MemoryStream();
        using (var z = new ZstdCompressStream(sink, level: 3, leaveOpen: true))
        {
            // Odd piece sizes, some larger than zstd's own buffers, some tiny.
            int[] sizes = [1, 7, 4096, 200_000, 13, 1 << 20];
            int at = 0, i = 0;
            while (at < input.Length)
            {
                int n = Math.Min(sizes[i++ % sizes.Length], input.Length - at);
                z.Write(input, at, n);
                at += n;
            }
        }
        byte[] frame = sink.ToArray();

        Assert.True(frame.Length < input.Length / 2, $"compressible input should shrink: {frame.Length}");
        Assert.Equal(-1, ZstdDecompressor.GetFrameContentSize(frame));
        Assert.Equal(input, Zstd.Decompress(frame));
        Assert.Equal(input, ZstdCli.Run(frame, "-d", "-q", "-c"));
    }

    [Fact]
    public void Nothing_written_is_still_a_valid_empty_frame_and_the_inner_stream_is_closed()
    {
        var sink = new MemoryStream();
        new ZstdCompressStream(sink).Dispose();

        Assert.False(sink.CanWrite); // disposed with the compressor (leaveOpen: false)
        byte[] frame = sink.ToArray();
        Assert.NotEmpty(frame);
        Assert.Empty(ZstdCli.Run(frame, "-d", "-q", "-c"));
    }

    [Fact]
    public void Writing_after_dispose_and_an_out_of_range_level_are_refused()
    {
        var z = new ZstdCompressStream(new MemoryStream());
        z.Dispose();
        Assert.Throws<ObjectDisposedException>(() => z.Write([1, 2, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZstdCompressStream(new MemoryStream(), level: 1000));
    }
}
