using Offsite.App.Backup;
using Offsite.App.Jobs;
using Offsite.Core.Archiver;
using Offsite.Core.Snapshots;
using Offsite.Server.Abstractions;

namespace Offsite.Cli.Serve;

/// <summary>Runs a scheduled job through the application layer's <see cref="JobRunner"/>, logging to the run's log.</summary>
public sealed class AppJobExecutor(ConfigJobCatalog catalog) : IJobExecutor
{
    public async Task<JobRunResult> RunAsync(string jobName, IRunLog log, Func<CancellationToken, Task> beforeCommitFence, CancellationToken cancellationToken)
    {
        var runner = new JobRunner(catalog.Config, new App.Repositories.RepositoryOpener(CliEnvironment.Runtime, null), CliEnvironment.DefaultCacheDirectory(), CliEnvironment.Get);
        var observer = new LogObserver(log);
        var result = await runner.RunAsync(jobName, observer, beforeCommitFence, cancellationToken).ConfigureAwait(false);
        var stats = result.Snapshots.Select(s => s.Stats).ToList();
        return new JobRunResult
        {
            SnapshotIds = result.Snapshots.Select(s => s.Id).ToList(),
            BytesRead = stats.Sum(s => s.Bytes),
            BytesAdded = stats.Sum(s => s.AddedBytes),
            BytesStored = stats.Sum(s => s.AddedStoredBytes),
            Files = stats.Sum(s => s.Files),
            Duration = result.Duration,
            Error = result.Error,
            ExitCode = result.ErrorKind is { } kind ? ExitCodes.For(kind) : 0,
        };
    }

    private sealed class LogObserver(IRunLog log) : IBackupObserver
    {
        public void Started(string sourceName, BackupProgress progress) => log.Write($"{sourceName}: backing up");

        public void Saved(Snapshot snapshot, BackupProgress progress) =>
            log.Write($"{snapshot.Source}: snapshot {snapshot.Id[..8]} saved: {snapshot.Stats.Files} files, {Output.Bytes(snapshot.Stats.Bytes)}, added {Output.Bytes(snapshot.Stats.AddedBytes)} ({Output.Bytes(snapshot.Stats.AddedStoredBytes)} stored) in {snapshot.Stats.DurationSeconds:0.0}s");

        public void DryRunDone(Snapshot snapshot, BackupProgress progress) =>
            log.Write($"{snapshot.Source}: dry run: {snapshot.Stats.Files} files, would add {Output.Bytes(snapshot.Stats.AddedBytes)}; nothing written");

        public void Note(string message) => log.Write(message);

        public void Warning(string message) => log.Write($"warning: {message}");

        public void Failed(string sourceName, string message) => log.Write($"{sourceName}: FAILED: {message}");
    }
}
