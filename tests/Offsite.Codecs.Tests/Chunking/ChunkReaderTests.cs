using Offsite.Codecs.Chunking;
using Offsite.Codecs.Tests.Support;

namespace Offsite.Codecs.Tests.Chunking;

public sealed class ChunkReaderTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public void Read_sizes_do_not_change_boundaries_small_parameters()
    {
        var chunker = Chunks.Create(parameters: Chunks.Small);
        byte[] data = TestData.Random(3 * MiB + 17, seed: 11);
        List<int> whole = Chunks.Lengths(chunker, data);

        Assert.Equal(whole, Chunks.Lengths(chunker, new ShortReadStream(data, 1)));
        Assert.Equal(whole, Chunks.Lengths(chunker, new ShortReadStream(data, 4097)));
        Assert.Equal(whole, Chunks.Lengths(chunker, new ShortReadStream(data, int.MaxValue)));
    }

    [Fact]
    public void Read_sizes_do_not_change_boundaries_default_parameters()
    {
        var chunker = Chunks.Create();
        byte[] data = TestData.Random(20 * MiB + 3, seed: 12);
        List<int> whole = Chunks.Lengths(chunker, data);

        Assert.True(whole.Count > 5);
        Assert.Equal(whole, Chunks.Lengths(chunker, new ShortReadStream(data, 1)));
        Assert.Equal(whole, Chunks.Lengths(chunker, new ShortReadStream(data, 4097)));
    }

    [Fact]
    public async Task Async_reading_matches_sync_reading()
    {
        var chunker = Chunks.Create(parameters: Chunks.Small);
        byte[] data = TestData.Random(2 * MiB, seed: 13);
        List<int> expected = Chunks.Lengths(chunker, data);

        var actual = new List<int>();
        long total = 0;
        using (ChunkReader reader = chunker.Open(new ShortReadStream(data, 4097)))
        {
            for (ReadOnlyMemory<byte> chunk = await reader.NextAsync(CancellationToken.None);
                 !chunk.IsEmpty;
                 chunk = await reader.NextAsync(CancellationToken.None))
            {
                Assert.True(chunk.Span.SequenceEqual(data.AsSpan((int)total, chunk.Length)));
                total += chunk.Length;
                actual.Add(chunk.Length);
            }

            Assert.Equal(data.Length, reader.Position);
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Chunks_stay_intact_until_a_call_announced_as_moving_the_buffer()
    {
        var chunker = Chunks.Create(parameters: Chunks.Small);
        byte[] data = TestData.Random(1 * MiB + 5, seed: 14);
        using ChunkReader reader = chunker.Open(new ShortReadStream(data, 3001));
        // Every chunk returned since the last move, with where its bytes are in the data.
        var alive = new List<(ReadOnlyMemory<byte> Chunk, int At)>();
        int moves = 0, position = 0;
        while (true)
        {
            if (reader.NextMovesBuffer)
            {
                moves++;
                alive.Clear();
            }
            var chunk = reader.Next();
            foreach (var (earlier, at) in alive)
            {
                Assert.True(earlier.Span.SequenceEqual(data.AsSpan(at, earlier.Length)), $"chunk at {at} overwritten without notice");
            }
            if (chunk.IsEmpty) break;
            alive.Add((chunk, position));
            position += chunk.Length;
        }
        Assert.Equal(data.Length, position);
        // About once per MaxSize of input, not once per chunk.
        Assert.InRange(moves, data.Length / Chunks.Small.MaxSize / 2, data.Length / Chunks.Small.MaxSize + 1);
        Assert.False(reader.NextMovesBuffer); // at the end: nothing more to read, nothing to move
    }

    [Fact]
    public async Task Async_reading_honours_cancellation()
    {
        var chunker = Chunks.Create(parameters: Chunks.Small);
        using ChunkReader reader = chunker.Open(new ShortReadStream(new byte[100_000], 100));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.NextAsync(cts.Token));
    }

    [Fact]
    public void End_of_stream_is_sticky_and_disposal_is_enforced()
    {
        ChunkReader reader = Chunks.Create().Open(new MemoryStream([1, 2, 3]));
        Assert.Equal(3, reader.Next().Length);
        Assert.True(reader.Next().IsEmpty);
        Assert.True(reader.Next().IsEmpty);
        Assert.Equal(3, reader.Position);
        reader.Dispose();
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.Next());
    }

    [Fact]
    public void Chunking_a_gigabyte_keeps_allocations_bounded()
    {
        const long length = 1024L * MiB;
        var chunker = Chunks.Create();
        using var source = new GeneratedStream(length, seed: 1);

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long total = 0;
        int count = 0;
        using (ChunkReader reader = chunker.Open(source))
        {
            for (ReadOnlyMemory<byte> chunk = reader.Next(); !chunk.IsEmpty; chunk = reader.Next())
            {
                total += chunk.Length;
                count++;
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Equal(length, total);
        Assert.InRange(count, 600, 1500);
        Assert.True(allocated < 64 * MiB, $"allocated {allocated} bytes while chunking");
    }
}
