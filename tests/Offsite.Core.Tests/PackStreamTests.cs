using Offsite.Core.Content;
using Offsite.Core.Repository;
using Offsite.Core.Storage;
using Offsite.Storage.Local;
using Offsite.TestSupport.Storage;

namespace Offsite.Core.Tests;

/// <summary>Data packs are read as they stream in (issue 14: S3 restores buffered whole GET bodies).</summary>
public sealed class PackStreamTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-core-" + Guid.NewGuid().ToString("N"));

    public PackStreamTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    /// <summary>Saves 100 incompressible 20 KiB blobs (about 3 per 64 KiB age chunk) into one pack.</summary>
    private async Task<List<(BlobId Id, byte[] Data)>> SaveAsync()
    {
        var repo = await Repository.Repository.InitAsync(new LocalStorage(Path.Combine(_dir, "repo")), "pw",
            new RepositoryConfig { PackSize = 4 << 20 }, Path.Combine(_dir, "cache"), default);
        var saved = new List<(BlobId, byte[])>();
        await using var saver = new BlobSaver(repo, []);
        for (int i = 0; i < 100; i++)
        {
            var data = new byte[20_000];
            new Random(2000 + i).NextBytes(data);
            saved.Add((await saver.SaveAsync(BlobType.Data, data, default), data));
        }
        await saver.FlushAsync(default);
        return saved;
    }

    private async Task<BlobLoader> LoaderAsync(IStorage storage)
    {
        var repo = await Repository.Repository.OpenAsync(storage, KeySource.FromPassphrase("pw", "test"), "", default);
        await repo.LoadIndexAsync(default);
        return new BlobLoader(repo);
    }

    [Fact]
    public async Task A_data_pack_is_read_from_a_stream_that_trickles_in_never_whole()
    {
        var saved = await SaveAsync();
        var storage = new TricklingStorage(new LocalStorage(Path.Combine(_dir, "repo")));
        var loader = await LoaderAsync(storage);
        foreach (var (id, data) in saved)
        {
            Assert.Equal(data, await loader.LoadAsync(id, default));
        }
        Assert.Equal(1, storage.Streams);
    }

    [Fact]
    public async Task A_pack_cut_short_keeps_the_blobs_before_the_cut()
    {
        var saved = await SaveAsync();
        string pack = Directory.GetFiles(Path.Combine(_dir, "repo", "packs"), "*", SearchOption.AllDirectories).Single();
        byte[] bytes = File.ReadAllBytes(pack);
        File.WriteAllBytes(pack, bytes[..(bytes.Length / 2)]);
        var loader = await LoaderAsync(new LocalStorage(Path.Combine(_dir, "repo")));
        var lost = new List<int>();
        for (int i = 0; i < saved.Count; i++)
        {
            try
            {
                Assert.Equal(saved[i].Data, await loader.LoadAsync(saved[i].Id, default));
            }
            catch (BlobDamagedException e)
            {
                Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
                lost.Add(i);
            }
        }
        // The pack's blobs are in saving order: what was lost is one run at the end (the cut half
        // and the pack's header table), and most of the first half is intact.
        Assert.NotEmpty(lost);
        Assert.Equal(Enumerable.Range(lost[0], lost.Count), lost);
        Assert.InRange(lost[0], 40, 50);
    }

    /// <summary>Refuses whole reads of packs; streams them a few hundred bytes per read.</summary>
    private sealed class TricklingStorage(IStorage inner) : DelegatingStorage(inner)
    {
        public int Streams { get; private set; }

        public override Task<byte[]> GetAsync(string key, CancellationToken cancellationToken) =>
            key.StartsWith("packs/", StringComparison.Ordinal)
                ? throw new InvalidOperationException($"{key} read whole")
                : base.GetAsync(key, cancellationToken);

        public override async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
        {
            Streams++;
            return new Trickle(await Inner.GetAsync(key, cancellationToken));
        }
    }

    private sealed class Trickle(byte[] data) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 777));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 777)], cancellationToken);
    }
}
