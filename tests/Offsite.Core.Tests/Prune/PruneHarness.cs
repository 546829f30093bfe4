using Offsite.Core.Backup;
using Offsite.Core.Check;
using Offsite.Core.Errors;
using Offsite.Core.Keys;
using Offsite.Core.Prune;
using Offsite.Core.Repository;
using Offsite.Core.Retention;
using Offsite.Core.Snapshots;
using Offsite.Core.Storage;
using Offsite.TestSupport;
using Offsite.TestSupport.Storage;

namespace Offsite.Core.Tests.Prune;

/// <summary>
/// A repository in memory shared by several "hosts" (each with its own cache directory, as separate machines), a
/// manual clock for grace periods, and the operations the prune tests interleave: backups by a full-key and a
/// write-only host, forget, prune, and `check --read-data`.
/// </summary>
public sealed class PruneHarness : IAsyncDisposable
{
    public static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-prune-" + Guid.NewGuid().ToString("N"));
    private string _fullKey = "", _writeOnlyKey = "";
    private readonly Random _random;

    private PruneHarness(int seed)
    {
        _random = new Random(seed);
        Storage = new MemoryStorage(Clock);
    }

    public ManualClock Clock { get; } = new(DateTimeOffset.Parse("2026-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    public MemoryStorage Storage { get; }
    public int LockedBackups { get; private set; }

    public static async Task<PruneHarness> CreateAsync(int seed = 1)
    {
        Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");
        var h = new PruneHarness(seed);
        var repo = await Repository.Repository.InitAsync(h.Storage, "pw", new RepositoryConfig { PackSize = 1 << 20 }, "", default);
        h._fullKey = KeyFile.FormatFull(repo.Key);
        h._writeOnlyKey = KeyFile.FormatWriteOnly(repo.Key);
        return h;
    }

    /// <summary>A fresh process on host <paramref name="name"/>: its own cache, the given key.</summary>
    public Task<Repository.Repository> OpenAsync(string name, bool writeOnly = false, IStorage? through = null) =>
        Repository.Repository.OpenAsync(through ?? Storage, KeySource.FromKeyText(writeOnly ? _writeOnlyKey : _fullKey, name), Path.Combine(_dir, "cache-" + name), default);

    public string SourceOf(string host) => Path.Combine(_dir, "src-" + host);

    /// <summary>Rewrites some files of the host's source (the rest stay, so backups dedup against older packs).</summary>
    public void ChangeSource(string host, int files = 6, int changed = 2, Func<int, bool>? which = null, int maxSize = 300_000)
    {
        string dir = SourceOf(host);
        Directory.CreateDirectory(dir);
        for (int i = 0; i < files; i++)
        {
            string path = Path.Combine(dir, "f" + i);
            if (!File.Exists(path) || (which is not null ? which(i) : i < changed || _random.Next(4) == 0))
            {
                var data = new byte[_random.Next(Math.Min(60_000, maxSize / 2), maxSize)];
                _random.NextBytes(data);
                File.WriteAllBytes(path, data);
                // A distinct mtime, so the files cache sees the change even within one second; unchanged files keep
                // theirs and are reused through the files cache (that path must respect condemned packs too).
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(_random.Next(1, 1_000_000)));
            }
        }
    }

    /// <summary>Backs up the host's source; returns the snapshot, or null when a concurrent prune made it refuse (exit 11).</summary>
    public async Task<Snapshot?> BackupAsync(string host, bool writeOnly, Func<FaultyStorage, FaultyStorage>? hooks = null)
    {
        Clock.Advance(TimeSpan.FromMinutes(1)); // snapshots get distinct times, so "newest" is well defined
        var through = new FaultyStorage(Storage);
        hooks?.Invoke(through);
        var repo = await OpenAsync(host, writeOnly, through);
        try
        {
            return await new BackupRunner(repo, Clock).BackupTreeAsync(new Offsite.Sources.Files.LocalDirectorySource([SourceOf(host)]),
                new SnapshotTemplate(host, host, [SourceOf(host)], [], Clock.GetUtcNow()), default);
        }
        catch (OffsiteException e) when (e.Kind == ErrorKind.Locked)
        {
            LockedBackups++;
            return null;
        }
    }

    public async Task<ForgetResult> ForgetAsync(int keepLast = 1)
    {
        var repo = await OpenAsync("janitor");
        return await Forgetter.RunAsync(repo, new RetentionPolicy { KeepLast = keepLast }, SnapshotGrouping.Default, new SnapshotFinder.Filter(), TimeZoneInfo.Utc, Clock, dryRun: false, default);
    }

    public async Task<PruneReport> PruneAsync(IStorage? through = null, double maxUnused = 0.0)
    {
        var repo = await OpenAsync("janitor", through: through);
        return await new Pruner(repo, new PruneOptions { Grace = Grace, Time = Clock, MaxUnused = maxUnused }).RunAsync(default);
    }

    /// <summary>`check --read-data` from a fresh process: every snapshot complete and every pack intact.</summary>
    public async Task<CheckReport> CheckAsync()
    {
        var repo = await Repository.Repository.OpenAsync(Storage, KeySource.FromKeyText(_fullKey, "checker"), "", default);
        var report = await new Checker(repo).RunAsync(readData: true, default);
        Assert.True(report.Ok, "check --read-data failed: " + string.Join("; ", report.Errors));
        return report;
    }

    public int SnapshotCount => Storage.Keys.Count(k => k.StartsWith("snapshots/", StringComparison.Ordinal));

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }
}
