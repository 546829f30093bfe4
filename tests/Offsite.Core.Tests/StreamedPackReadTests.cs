using Offsite.Core.Backup;
using Offsite.Core.Content;
using Offsite.Core.Repository;
using Offsite.Core.Storage;
using Offsite.Storage.Local;

namespace Offsite.Core.Tests;

/// <summary>
/// A restore streams each pack and hands on the blobs it wants in the pack's order (PackBlobStream):
/// exactly the wanted blobs, each once, intact; a body cut short or a flipped byte costs only the blobs it touches.
/// </summary>
public sealed class StreamedPackReadTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-streamed-" + Guid.NewGuid().ToString("N"));

    public StreamedPackReadTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    /// <summary>A repository of 40 random 100 KB files in 1 MiB packs, opened through <paramref name="wrap"/>.</summary>
    private async Task<(Repository.Repository Repo, PackInfo Pack)> RepositoryAsync(Func<IStorage, IStorage> wrap)
    {
        string source = Path.Combine(_dir, "src");
        Directory.CreateDirectory(source);
        var random = new Random(11);
        for (int i = 0; i < 40; i++)
        {
            var bytes = new byte[100_000];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(source, $"f{i:00}"), bytes);
        }
        var local = new LocalStorage(Path.Combine(_dir, "repo"));
        var writer = await Repository.Repository.InitAsync(local, "pw", new RepositoryConfig { PackSize = 1 << 20 }, "", default);
        await new BackupRunner(writer).BackupTreeAsync(new Offsite.Sources.Files.LocalDirectorySource([source]), new SnapshotTemplate("t", "h", [source], []), default);
        var repo = await Repository.Repository.OpenAsync(wrap(local), KeySource.FromPassphrase("pw", "t"), "", default);
        await repo.LoadIndexAsync(default);
        var pack = repo.Index.Packs.Where(p => !p.HoldsOnlyTrees).MaxBy(p => p.Entries.Count)!;
        Assert.True(pack.Entries.Count >= 8, $"{pack.Entries.Count} blobs in the fullest pack");
        return (repo, pack);
    }

    private static async Task<List<(BlobId Id, byte[]? Bytes, string? Damage)>> ReadAsync(Repository.Repository repo, PackInfo pack, IReadOnlyCollection<BlobId> ids)
    {
        var seen = new List<(BlobId, byte[]?, string?)>();
        await new BlobLoader(repo).ReadPackAsync(pack.Id, ids, (id, bytes, damage) =>
        {
            seen.Add((id, bytes?.Data.ToArray(), damage?.Message));
            return ValueTask.CompletedTask;
        }, default);
        return seen;
    }

    [Fact]
    public async Task Every_other_blob_of_a_pack_is_handed_on_once_in_pack_order_with_its_bytes()
    {
        var (repo, pack) = await RepositoryAsync(s => s);
        var byOffset = pack.Entries.OrderBy(e => e.Offset).ToList();
        var wanted = byOffset.Where((_, i) => i % 2 == 1).Select(e => e.Id).Reverse().ToList();

        var seen = await ReadAsync(repo, pack, wanted);

        Assert.Equal(byOffset.Where((_, i) => i % 2 == 1).Select(e => e.Id), seen.Select(s => s.Id));
        foreach (var (id, bytes, damage) in seen)
        {
            Assert.Null(damage);
            Assert.Equal(await new BlobLoader(repo).LoadAsync(id, default), bytes);
        }
    }

    [Fact]
    public async Task Ids_named_twice_are_handed_on_once_each()
    {
        var (repo, pack) = await RepositoryAsync(s => s);
        var ids = pack.Entries.Take(3).Select(e => e.Id).ToList();

        var seen = await ReadAsync(repo, pack, [.. ids, .. ids, ids[0]]);

        Assert.Equal(ids.Order(), seen.Select(s => s.Id).Order());
        Assert.All(seen, s => Assert.Null(s.Damage));
    }

    [Fact]
    public async Task A_body_cut_in_half_delivers_the_blobs_before_the_cut_and_reports_the_rest_truncated()
    {
        var (repo, pack) = await RepositoryAsync(s => new CutStorage(s, keep: 0.5));
        var all = pack.Entries.Select(e => e.Id).ToList();

        var seen = await ReadAsync(repo, pack, all);

        Assert.Equal(all.Count, seen.Count);
        Assert.Equal(all.Count, seen.Select(s => s.Id).Distinct().Count());
        var intact = seen.Where(s => s.Damage is null).ToList();
        var lost = seen.Where(s => s.Damage is not null).ToList();
        Assert.NotEmpty(intact);
        Assert.NotEmpty(lost);
        Assert.All(lost, s => Assert.Contains("truncated", s.Damage!, StringComparison.OrdinalIgnoreCase));
        // What is intact comes first in the pack: the cut took the end.
        long lastIntact = intact.Max(s => pack.Entries.Single(e => e.Id == s.Id).Offset);
        Assert.All(lost, s => Assert.True(pack.Entries.Single(e => e.Id == s.Id).Offset > lastIntact));
    }

    /// <summary>Streams of pack objects that end early, at a fraction of their length.</summary>
    private sealed class CutStorage(IStorage inner, double keep) : IStorage
    {
        public string Location => inner.Location;

        public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
        {
            byte[] whole = await inner.GetAsync(key, cancellationToken);
            int length = key.StartsWith("packs/", StringComparison.Ordinal) ? (int)(whole.Length * keep) : whole.Length;
            return new MemoryStream(whole, 0, length, writable: false);
        }

        public Task<byte[]> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);
        public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken) => inner.GetRangeAsync(key, offset, length, cancellationToken);
        public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => inner.PutAsync(key, data, cancellationToken);
        public Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => inner.TryCreateAsync(key, data, cancellationToken);
        public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);
        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
