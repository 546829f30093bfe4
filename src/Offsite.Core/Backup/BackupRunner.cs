using Offsite.Codecs.Chunking;
using Offsite.Core.Archiver;
using Offsite.Core.Cache;
using Offsite.Core.Content;
using Offsite.Core.Snapshots;
using Offsite.Core.Sources;
using Offsite.Core.Trees;

namespace Offsite.Core.Backup;

/// <summary>
/// One backup, start to finish, in the order that keeps the repository valid at every instant:
/// packs, then the index that covers them, then the snapshot, then the local files cache.
/// </summary>
public sealed class BackupRunner
{
    private readonly Repository.Repository _repo;
    private readonly TimeProvider _time;

    public BackupRunner(Repository.Repository repository, TimeProvider? time = null)
    {
        _repo = repository;
        _time = time ?? repository.Runtime.Clock;
    }

    public BackupProgress Progress { get; } = new();

    /// <summary>How long an interrupted backup waits for the packs being uploaded, and then for their index.</summary>
    public static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs after the data and index are stored and right before the snapshot is written; throwing
    /// there leaves no snapshot (a scheduler whose lease was taken over stops here).
    /// </summary>
    public Func<CancellationToken, Task>? BeforeCommit { get; init; }

    /// <summary>Walk, chunk and hash, count what would be added, and write nothing: no pack, index, snapshot or files cache.</summary>
    public bool DryRun { get; init; }

    /// <summary>Adds up the backup's CPU by stage (`backup --stage-times`); null: not measured.</summary>
    public StageTimes? Stages { get => Progress.Stages; init => Progress.Stages = value; }

    /// <summary>Read every file, ignoring the files cache (there is no parent snapshot to compare with, as in restic).</summary>
    public bool ReadEveryFile { get; init; }

    public Chunker CreateChunker()
    {
        var c = _repo.Config.Chunker;
        return new Chunker(new GearTable(_repo.Key.ChunkerSeed), new ChunkerParameters(c.Min, c.Average, c.Max));
    }

    /// <summary>Backs up a tree source (a directory, a volume, a bucket) into one snapshot.</summary>
    public async Task<Snapshot> BackupTreeAsync(ITreeSource source, SnapshotTemplate template, CancellationToken cancellationToken)
    {
        // The files cache streams from the last run's file to this run's (docs/design.md, "Memory");
        // this run's replaces it only once the snapshot is stored.
        string? cachePath = _repo.Cache.FilesCachePath(source.CacheKey);
        string? previousPath = ReadEveryFile ? null : cachePath;
        using var previous = FilesCacheReader.Open(previousPath);
        using var lookahead = source is IReadAheadSource ? FilesCacheReader.Open(previousPath) : null;
        using var next = FilesCacheWriter.Create(DryRun ? null : cachePath);
        return await RunAsync(template, async (saver, ct) =>
        {
            var archiver = new TreeArchiver(saver, CreateChunker(), previous, next, Progress, lookahead, Stages);
            if (source is IReadAheadSource readAhead)
            {
                readAhead.UseReuseCheck(archiver.WillReuse);
            }
            var root = await archiver.ArchiveAsync(source, ct).ConfigureAwait(false);
            return (root, next.Commit);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Backs up a stream as one file named <paramref name="name"/>. <paramref name="completion"/>
    /// runs after the stream ends and before anything refers to it: a failing producer (a
    /// command's non-zero exit) throws there, and no snapshot is written.
    /// </summary>
    public Task<Snapshot> BackupStreamAsync(Stream stream, string name, Func<CancellationToken, Task>? completion, SnapshotTemplate template, CancellationToken cancellationToken) =>
        RunAsync(template, async (saver, ct) =>
        {
            var blobs = new List<BlobId>();
            long total;
            var chunker = CreateChunker();
            using (var reader = chunker.Open(stream, cpuClock: Stages?.CpuClock))
            {
                total = await ChunkPipeline.SaveAllAsync(saver, reader, blobs, Progress.AddBytes, ct).ConfigureAwait(false);
                Stages?.AddReader(reader);
            }
            var ids = blobs.ConvertAll(id => id.ToString());
            if (completion is not null)
            {
                await completion(ct).ConfigureAwait(false);
            }
            long now = _repo.Runtime.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
            var file = new Node { Name = name, Type = NodeType.File, Mode = 0x180, Size = total, MtimeNs = now, Content = ids };
            Progress.AddFile(0, unchanged: false);
            var tree = new Tree { Nodes = { file } };
            var root = await saver.SaveAsync(BlobType.Tree, tree.Serialize(), ct).ConfigureAwait(false);
            return (root, (Action?)null);
        }, cancellationToken);

    private async Task<Snapshot> RunAsync(SnapshotTemplate template, Func<BlobSaver, CancellationToken, Task<(BlobId Root, Action? AfterCommit)>> body, CancellationToken cancellationToken)
    {
        long started = _repo.Runtime.Clock.GetTimestamp();
        // Condemned packs are left out of dedup before the index is loaded (docs/format.md, "Forget and prune").
        var guard = await Prune.BackupGuard.BeginAsync(_repo, _time, cancellationToken).ConfigureAwait(false);
        long? loading = Stages?.ProcessCpuClock();
        var unindexed = await _repo.LoadIndexAsync(cancellationToken).ConfigureAwait(false);
        if (loading is { } loadStart) Stages!.Add(BackupStage.LoadIndex, Stages.ProcessCpuClock() - loadStart);
        guard.Applied();
        await using var saver = new BlobSaver(_repo, unindexed, dryRun: DryRun, stages: Stages);
        BlobId root;
        Action? afterCommit;
        try
        {
            (root, afterCommit) = await body(saver, cancellationToken).ConfigureAwait(false);
            await saver.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            var (packs, bytes) = await saver.KeepUploadedAsync(InterruptGrace).ConfigureAwait(false);
            throw new BackupInterruptedException(packs, bytes, cancellationToken, e);
        }
        Progress.SetReused(saver.ReusedBytes);
        var snapshot = new Snapshot
        {
            Time = template.Time ?? _repo.Runtime.Clock.GetUtcNow(),
            Host = template.Host,
            Username = _repo.Runtime.UserName,
            Source = template.Source,
            Paths = template.Paths.ToList(),
            Tags = template.Tags.ToList(),
            Tree = root.ToString(),
            Program = "offsite " + typeof(BackupRunner).Assembly.GetName().Version?.ToString(3),
            Stats = new SnapshotStats
            {
                Files = Progress.Files,
                Directories = Progress.Directories,
                Bytes = Progress.Bytes,
                NewBlobs = saver.NewBlobs,
                AddedBytes = saver.AddedBytes,
                AddedStoredBytes = saver.AddedStoredBytes,
                DurationSeconds = Math.Round(_repo.Runtime.Clock.GetElapsedTime(started).TotalSeconds, 3),
                Unreadable = Progress.Warnings.Count,
            },
        };
        if (DryRun)
        {
            return snapshot; // not stored, so it has no id
        }
        if (BeforeCommit is not null)
        {
            await BeforeCommit(cancellationToken).ConfigureAwait(false);
        }
        // The snapshot must be stored before any prune that starts after this check could delete what it uses: the PUT
        // gets a deadline well inside the shortest grace period (docs/format.md, "What every backup does").
        var deadline = await guard.CheckCommitAsync(cancellationToken).ConfigureAwait(false);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (deadline - _time.GetUtcNow()).Ticks)), _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                await _repo.SaveSnapshotAsync(snapshot, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new Errors.OffsiteException(Errors.ErrorKind.Locked, "storing the snapshot took longer than the prune protocol allows; run the backup again");
            }
        }
        afterCommit?.Invoke();
        return snapshot;
    }
}

/// <summary>The user-given parts of a snapshot.</summary>
public sealed record SnapshotTemplate(string Source, string Host, IReadOnlyList<string> Paths, IReadOnlyList<string> Tags, DateTimeOffset? Time = null);
