using Offsite.Core.Content;
using Offsite.Core.Keys;
using Offsite.Core.Repository;
using Offsite.Storage.Local;

namespace Offsite.Core.Tests;

/// <summary>
/// The host's pack log (cache/…/packs.log) must not grow with every backup forever: what the
/// repository's index describes, or what lifecycle retention has deleted, is dropped from it;
/// what only the log knows (packs a killed backup uploaded, a write-only host's own packs) stays.
/// </summary>
public sealed class PackLogCompactionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-packlog-" + Guid.NewGuid().ToString("N"));

    public PackLogCompactionTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    private string Cache => Path.Combine(_dir, "cache");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private string[] LogLines() =>
        File.ReadAllLines(Directory.GetFiles(Cache, "packs.log", SearchOption.AllDirectories).Single());

    private static byte[] Blob(int seed)
    {
        var b = new byte[50_000];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>One small backup: one new blob, one pack, one index.</summary>
    private static async Task<BlobId> BackUpAsync(Repository.Repository repo, int seed)
    {
        var unindexed = await repo.LoadIndexAsync(default);
        await using var saver = new BlobSaver(repo, unindexed);
        var id = await saver.SaveAsync(BlobType.Data, Blob(seed), default);
        await saver.FlushAsync(default);
        return id;
    }

    [Fact]
    public async Task A_reader_drops_what_the_repository_index_describes_and_still_dedups()
    {
        var storage = new LocalStorage(Path.Combine(_dir, "repo"));
        var repo = await Repository.Repository.InitAsync(storage, "pw", new RepositoryConfig(), Cache, default);
        var ids = new List<BlobId>();
        for (int i = 0; i < 30; i++)
        {
            ids.Add(await BackUpAsync(repo, i));
        }
        // Each backup logs its pack and its index (60 lines without compaction); every load of
        // the index rewrites the log once half of it is redundant, so it stays under 2 × 16.
        Assert.InRange(LogLines().Length, 1, 31);

        var again = await Repository.Repository.OpenAsync(storage, KeySource.FromPassphrase("pw", "t"), Cache, default);
        var unindexed = await again.LoadIndexAsync(default);

        Assert.Empty(unindexed);
        await using var saver = new BlobSaver(again, unindexed);
        foreach (var (id, seed) in ids.Select((id, seed) => (id, seed)))
        {
            Assert.Equal(id, await saver.SaveAsync(BlobType.Data, Blob(seed), default));
        }
        await saver.FlushAsync(default);
        Assert.Equal(0, saver.NewBlobs);
    }

    [Fact]
    public async Task A_write_only_host_keeps_its_log_and_dedups_from_it()
    {
        var storage = new LocalStorage(Path.Combine(_dir, "repo"));
        var owner = await Repository.Repository.InitAsync(storage, "pw", new RepositoryConfig(), "", default);
        var hostKey = KeySource.FromKeyText(KeyFile.FormatWriteOnly(owner.Key), "host.key");
        var host = await Repository.Repository.OpenAsync(storage, hostKey, Cache, default);
        for (int i = 0; i < 30; i++)
        {
            await BackUpAsync(host, i);
        }

        var again = await Repository.Repository.OpenAsync(storage, hostKey, Cache, default);
        await again.LoadIndexAsync(default);

        // It cannot read the index: the log is all it has, so every pack stays in it.
        Assert.Equal(30, LogLines().Count(l => l.Contains("\"pack\"", StringComparison.Ordinal)));
        await using var saver = new BlobSaver(again, []);
        await saver.SaveAsync(BlobType.Data, Blob(3), default);
        await saver.FlushAsync(default);
        Assert.Equal(0, saver.NewBlobs);
    }

    [Fact]
    public async Task Packs_past_the_lifecycle_expiry_leave_the_write_only_log()
    {
        var storage = new LocalStorage(Path.Combine(_dir, "repo"));
        var config = new RepositoryConfig { Retention = new RetentionConfig { ExpireDays = 2, RefreshDays = 1, DaySeconds = 1 } };
        var owner = await Repository.Repository.InitAsync(storage, "pw", config, "", default);
        var hostKey = KeySource.FromKeyText(KeyFile.FormatWriteOnly(owner.Key), "host.key");
        var host = await Repository.Repository.OpenAsync(storage, hostKey, Cache, default);
        for (int i = 0; i < 12; i++)
        {
            await BackUpAsync(host, i);
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // two one-second "days": every pack may be gone
        var again = await Repository.Repository.OpenAsync(storage, hostKey, Cache, default);
        await again.LoadIndexAsync(default);

        string[] lines = LogLines();
        Assert.Single(lines);
        Assert.DoesNotContain("\"pack\"", lines[0], StringComparison.Ordinal);
    }
}
