using Offsite.Codecs.Chunking;
using Offsite.Core.Backup;
using Offsite.Core.Content;
using Offsite.Core.Repository;
using Offsite.Storage.Local;

namespace Offsite.Core.Tests;

/// <summary>Chunks saved behind the reader (ChunkPipeline) come back in the stream's order, each stored intact.</summary>
public sealed class ChunkPipelineTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-pipeline-" + Guid.NewGuid().ToString("N"));

    public ChunkPipelineTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Ids_come_back_in_stream_order_and_every_chunk_is_stored_as_cut()
    {
        // Small chunks (many buffer moves) and a repeated block, so two saves of one blob can race.
        var repo = await Repository.Repository.InitAsync(new LocalStorage(Path.Combine(_dir, "repo")), "pw",
            new RepositoryConfig { Chunker = new ChunkerConfig { Min = 2 << 10, Average = 8 << 10, Max = 32 << 10 } }, Path.Combine(_dir, "cache"), default);
        var block = new byte[300_000];
        new Random(7).NextBytes(block);
        byte[] data = [.. block, .. block, .. new byte[100_000], .. block];
        var chunker = new BackupRunner(repo).CreateChunker();

        var ids = new List<BlobId>();
        var lengths = new List<long>();
        await using (var saver = new BlobSaver(repo, []))
        {
            using var reader = chunker.Open(new MemoryStream(data));
            long total = await ChunkPipeline.SaveAllAsync(saver, reader, ids, lengths.Add, default);
            await saver.FlushAsync(default);
            Assert.Equal(data.Length, total);
        }

        // The same cuts, hashed one by one on this thread.
        var expected = new List<(BlobId Id, byte[] Bytes)>();
        using (var reader = chunker.Open(new MemoryStream(data)))
        {
            for (var chunk = reader.Next(); !chunk.IsEmpty; chunk = reader.Next())
            {
                expected.Add((BlobId.Compute(repo.Key.BlobIdKey, chunk.Span), chunk.ToArray()));
            }
        }
        Assert.True(expected.Count > 20, $"{expected.Count} chunks");
        Assert.Equal(expected.Select(e => e.Id), ids);
        Assert.Equal(expected.Select(e => (long)e.Bytes.Length), lengths);
        Assert.True(ids.Distinct().Count() < ids.Count, "the repeated block dedups");
        var loader = new BlobLoader(repo);
        foreach (var (id, bytes) in expected)
        {
            Assert.Equal(bytes, await loader.LoadAsync(id, default));
        }
    }

    [Fact]
    public async Task A_failing_read_stops_the_pipeline_after_the_saves_in_flight()
    {
        var repo = await Repository.Repository.InitAsync(new LocalStorage(Path.Combine(_dir, "repo")), "pw",
            new RepositoryConfig(), Path.Combine(_dir, "cache"), default);
        var chunker = new BackupRunner(repo).CreateChunker();
        await using var saver = new BlobSaver(repo, []);
        using var reader = chunker.Open(new FailingStream(new byte[20 << 20], failAfter: 12 << 20));

        var ids = new List<BlobId>();
        var e = await Assert.ThrowsAsync<IOException>(() => ChunkPipeline.SaveAllAsync(saver, reader, ids, _ => { }, default));
        Assert.Equal("disk went away", e.Message);
    }

    /// <summary>Reads like a file until an offset, then fails as a dying disk would.</summary>
    private sealed class FailingStream(byte[] data, int failAfter) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Position >= failAfter) throw new IOException("disk went away");
            return base.Read(buffer, offset, (int)Math.Min(count, failAfter - Position));
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position >= failAfter ? ValueTask.FromException<int>(new IOException("disk went away")) : base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, failAfter - Position)], cancellationToken);
    }
}
