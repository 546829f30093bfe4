using System.IO.Pipes;
using System.Security.Cryptography;

namespace Offsite.Posix.Tests;

/// <summary>
/// <see cref="PipeInputStream"/> on real kernel pipes: the writer is a thread writing 4 KiB at a
/// time, as pg_dump does, and the reader must see exactly the bytes written, in order, whether
/// they arrive directly or through the read-ahead.
/// </summary>
public sealed class PipeInputStreamTests : IDisposable
{
    private readonly AnonymousPipeServerStream _server = new(PipeDirection.In);
    private readonly AnonymousPipeClientStream _client;

    public PipeInputStreamTests()
    {
        // In one process the client stream and the server share the write end's descriptor:
        // disposing the client closes it, and the reader sees end-of-file.
        _client = new AnonymousPipeClientStream(PipeDirection.Out, _server.ClientSafePipeHandle);
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Reads_everything_a_small_writes_producer_wrote_then_end_of_file()
    {
        byte[] data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 123);
        using var pipe = new PipeInputStream(_server.SafePipeHandle);
        var writer = WriteInPiecesAsync(data, 4096);

        byte[] read = ReadToEnd(pipe);

        await writer;
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(read));
        Assert.Equal(0, pipe.Read(new byte[10]));
    }

    [Fact]
    public void Grows_the_pipe_to_what_the_system_allows()
    {
        int limit = int.Parse(File.ReadAllText("/proc/sys/fs/pipe-max-size").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var pipe = new PipeInputStream(_server.SafePipeHandle);

        Assert.Equal(Math.Min(limit, PipeInputStream.DesiredPipeSize), pipe.PipeSize);
    }

    [Fact]
    public async Task Read_ahead_takes_the_output_before_the_first_read_and_hands_it_out_in_order()
    {
        byte[] data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 5);
        using var pipe = new PipeInputStream(_server.SafePipeHandle);
        pipe.StartReadAhead(8L << 20);

        // The writer finishes although nobody reads: 3 MiB do not fit in a 1 MiB pipe.
        await WriteInPiecesAsync(data, 4096);
        _client.Dispose();
        await WaitUntilAsync(() => pipe.BufferedBytes == data.Length);

        byte[] read = ReadToEnd(pipe);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(read));
        Assert.Equal(0, pipe.BufferedBytes);
    }

    [Fact]
    public async Task Read_ahead_stops_at_its_limit_and_the_rest_is_read_from_the_pipe()
    {
        byte[] data = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);
        using var pipe = new PipeInputStream(_server.SafePipeHandle);
        pipe.StartReadAhead(2L << 20);
        var writer = WriteInPiecesAsync(data, 65536);

        await WaitUntilAsync(() => pipe.BufferedBytes >= 2L << 20);
        await Task.Delay(200);
        // One read may complete the segment it started: the limit rounds up to whole segments.
        Assert.InRange(pipe.BufferedBytes, 2L << 20, 3L << 20);
        Assert.False(writer.IsCompleted, "the writer should be held up by the full pipe");

        byte[] read = ReadToEnd(pipe);
        await writer;
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(read));
    }

    [Fact]
    public async Task Read_ahead_of_a_silent_writer_ends_with_the_writer()
    {
        var pipe = new PipeInputStream(_server.SafePipeHandle);
        pipe.StartReadAhead(1L << 20);
        await Task.Delay(50);

        // As RunningDump does: end the writer first, then dispose (which joins the read-ahead).
        _client.Dispose();
        var disposing = Task.Run(pipe.Dispose);

        Assert.Same(disposing, await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(10))));
    }

    [Fact]
    public async Task Async_reads_see_the_same_bytes()
    {
        byte[] data = RandomNumberGenerator.GetBytes(512 * 1024);
        using var pipe = new PipeInputStream(_server.SafePipeHandle);
        var writer = WriteInPiecesAsync(data, 4096);

        using var copy = new MemoryStream();
        await pipe.CopyToAsync(copy);

        await writer;
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public void A_disposed_stream_refuses_reads()
    {
        var pipe = new PipeInputStream(_server.SafePipeHandle);
        pipe.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pipe.Read(new byte[1]));
    }

    [Fact]
    public void Recognises_pipes_and_nothing_else()
    {
        Assert.True(PipeInputStream.IsPipe((int)_server.SafePipeHandle.DangerousGetHandle()));
        using var file = File.OpenRead("/proc/self/status");
        Assert.False(PipeInputStream.IsPipe((int)file.SafeFileHandle.DangerousGetHandle()));
    }

    private Task WriteInPiecesAsync(byte[] data, int piece) => Task.Run(() =>
    {
        for (int offset = 0; offset < data.Length; offset += piece)
        {
            _client.Write(data, offset, Math.Min(piece, data.Length - offset));
        }
        _client.Dispose();
    });

    private static byte[] ReadToEnd(Stream stream)
    {
        using var all = new MemoryStream();
        byte[] buffer = new byte[4 * 1024 * 1024];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            all.Write(buffer, 0, n);
        }
        return all.ToArray();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the read-ahead");
            await Task.Delay(10);
        }
    }
}
