using Offsite.Core.Backup;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;
using Offsite.Core.Sources;

namespace Offsite.App.Backup;

/// <summary>
/// Runs a source into snapshots: a tree source into one snapshot, a stream source into one
/// snapshot per stream. The CLI, config jobs and the server all back up through here.
/// </summary>
public static class BackupService
{
    public static async Task<Snapshot> BackupTreeAsync(Core.Repository.Repository repo, ITreeSource source, IReadOnlyList<string> paths,
        BackupRequest request, IBackupObserver observer, CancellationToken ct)
    {
        // A write-only key cannot read snapshots: it has no parent to name and keeps using the files cache.
        var parent = repo.Key.CanRead ? await FindParentAsync(repo, request.Host, paths, ct).ConfigureAwait(false) : null;
        var runner = new BackupRunner(repo) { BeforeCommit = request.BeforeCommit, DryRun = request.DryRun, ReadEveryFile = repo.Key.CanRead && parent is null, Stages = request.Stages };
        if (repo.Key.CanRead)
        {
            runner.Progress.ParentSnapshot = parent?.Id;
            observer.Note(parent is null ? "no parent snapshot: every file is read" : $"using parent snapshot {parent.Id[..8]}");
        }
        string sourceName = request.SourceName ?? string.Join(",", paths);
        observer.Started(sourceName, runner.Progress);
        using var stopScan = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var scan = request.Scan is { } scanned ? Task.Run(() => TreeScan.RunAsync(scanned, runner.Progress, stopScan.Token), CancellationToken.None) : Task.CompletedTask;
        Snapshot snapshot;
        try
        {
            snapshot = await runner.BackupTreeAsync(source, new SnapshotTemplate(sourceName, request.Host, paths, request.Tags, request.Time), ct).ConfigureAwait(false);
        }
        finally
        {
            await stopScan.CancelAsync().ConfigureAwait(false);
            await scan.ConfigureAwait(false);
        }
        foreach (string warning in runner.Progress.Warnings) observer.Warning(warning);
        if (request.DryRun)
        {
            observer.DryRunDone(snapshot, runner.Progress);
        }
        else
        {
            observer.Saved(snapshot, runner.Progress);
        }
        return snapshot;
    }

    /// <summary>The newest snapshot of the same host and paths (restic's parent): unchanged files are taken from the files cache only when it exists.</summary>
    private static async Task<Snapshot?> FindParentAsync(Core.Repository.Repository repo, string host, IReadOnlyList<string> paths, CancellationToken ct)
    {
        var wanted = paths.Order(StringComparer.Ordinal).ToList();
        var snapshots = await repo.ListSnapshotsAsync(ct).ConfigureAwait(false);
        return snapshots.LastOrDefault(s => s.Host == host && s.Paths.Order(StringComparer.Ordinal).SequenceEqual(wanted, StringComparer.Ordinal));
    }

    /// <summary>
    /// Backs up every stream of <paramref name="source"/>, each into its own snapshot. One stream
    /// failing (a database that cannot be dumped) is reported and the others go on. The first
    /// producer starts before <paramref name="openRepository"/> is awaited, so pg_dump connects
    /// and reads its catalog while the passphrase is stretched.
    /// </summary>
    public static async Task<StreamBackupResult> BackupStreamsAsync(IStreamSource source, Func<CancellationToken, Task<Core.Repository.Repository>> openRepository,
        BackupRequest request, IBackupObserver observer, CancellationToken ct)
    {
        var items = await source.ListAsync(ct).ConfigureAwait(false);
        var snapshots = new List<Snapshot>();
        var failures = new List<string>();
        Task<Core.Repository.Repository>? opening = null;
        foreach (var item in items)
        {
            SourceStream stream;
            try
            {
                stream = await item.OpenAsync(ct).ConfigureAwait(false);
            }
            catch (OffsiteException e) when (e.Kind == ErrorKind.SourceFailed)
            {
                failures.Add(e.Message);
                observer.Failed(item.SourceName, e.Message);
                continue;
            }
            await using (stream.ConfigureAwait(false))
            {
                opening ??= Task.Run(() => openRepository(ct), ct);
                var repo = await opening.ConfigureAwait(false);
                try
                {
                    snapshots.Add(await BackupStreamAsync(repo, item, stream, request with { SourceName = request.SourceName ?? item.SourceName }, observer, ct).ConfigureAwait(false));
                }
                catch (OffsiteException e) when (e.Kind == ErrorKind.SourceFailed)
                {
                    foreach (string warning in stream.Warnings) observer.Warning(warning);
                    failures.Add(e.Message);
                    observer.Failed(item.SourceName, e.Message);
                }
            }
        }
        if (opening is null)
        {
            await openRepository(ct).ConfigureAwait(false); // nothing ran: still prove the repository opens
        }
        return new StreamBackupResult(snapshots, failures, items.Count);
    }

    private static async Task<Snapshot> BackupStreamAsync(Core.Repository.Repository repo, IStreamItem item, SourceStream stream, BackupRequest request,
        IBackupObserver observer, CancellationToken ct)
    {
        var runner = new BackupRunner(repo) { BeforeCommit = request.BeforeCommit, Stages = request.Stages };
        var tags = item.Tags.Concat(request.Tags).Distinct(StringComparer.Ordinal).ToList();
        var template = new SnapshotTemplate(request.SourceName ?? item.SourceName, request.Host, ["/" + item.FileName], tags, request.Time);
        observer.Started(template.Source, runner.Progress);
        var snapshot = await runner.BackupStreamAsync(stream.Content, item.FileName, stream.CompleteAsync, template, ct).ConfigureAwait(false);
        foreach (string warning in stream.Warnings) observer.Warning(warning);
        observer.Saved(snapshot, runner.Progress);
        return snapshot;
    }
}
