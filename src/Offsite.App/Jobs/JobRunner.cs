using Offsite.App.Backup;
using Offsite.App.Config;
using Offsite.App.Repositories;
using Offsite.App.Sources;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;

namespace Offsite.App.Jobs;

/// <summary>
/// Runs one job of the config file: the before hook (failing means no snapshot), each source into
/// its snapshot(s), then the after hook, which runs whatever happened and learns the outcome from
/// OFFSITE_JOB, OFFSITE_OUTCOME (success|failure), OFFSITE_ERROR and OFFSITE_SNAPSHOTS.
/// <c>offsite run</c> and <c>offsite serve</c> both run jobs through here.
/// </summary>
public sealed class JobRunner
{
    /// <summary>Every snapshot a job writes carries the tag <c>job:NAME</c>.</summary>
    public const string JobTagPrefix = "job:";

    private readonly OffsiteConfig _config;
    private readonly RepositoryOpener _opener;
    private readonly string? _defaultCache;
    private readonly Func<string, string?> _environment;

    public JobRunner(OffsiteConfig config, RepositoryOpener opener, string? defaultCache, Func<string, string?> environment)
    {
        _config = config;
        _opener = opener;
        _defaultCache = defaultCache;
        _environment = environment;
    }

    public RepositorySpec RepositoryOf(string jobName)
    {
        var job = ConfigResolver.Job(_config, jobName);
        return ConfigResolver.Spec(ConfigResolver.Repository(_config, ConfigResolver.RepositoryNameOf(_config, job)), _defaultCache);
    }

    public async Task<JobResult> RunAsync(string jobName, IBackupObserver observer, Func<CancellationToken, Task>? beforeCommit, CancellationToken ct)
    {
        var job = ConfigResolver.Job(_config, jobName);
        long started = _opener.Runtime.Clock.GetTimestamp();
        var snapshots = new List<Snapshot>();
        OffsiteException? failure = null;
        try
        {
            if (job.Hooks?.Before is { Count: > 0 } before)
            {
                await HookRunner.RunAsync(jobName, "before", before, new Dictionary<string, string> { ["OFFSITE_JOB"] = jobName }, ct).ConfigureAwait(false);
            }
            await BackupSourcesAsync(jobName, job, snapshots, observer, beforeCommit, ct).ConfigureAwait(false);
        }
        catch (OffsiteException e)
        {
            failure = e;
        }
        catch (Core.Storage.StorageException e)
        {
            failure = new OffsiteException(ErrorKind.Io, $"storage: {e.Message}", e);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await RunAfterHookAsync(jobName, job, snapshots, "interrupted", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        await RunAfterHookAsync(jobName, job, snapshots, failure?.Message, ct).ConfigureAwait(false);
        return new JobResult(jobName, snapshots, failure?.Message, failure?.Kind, _opener.Runtime.Clock.GetElapsedTime(started));
    }

    private async Task BackupSourcesAsync(string jobName, JobSection job, List<Snapshot> snapshots, IBackupObserver observer, Func<CancellationToken, Task>? beforeCommit, CancellationToken ct)
    {
        var spec = RepositoryOf(jobName);
        // "job:NAME" ties each snapshot to the job that made it (the server lists snapshots per job).
        var request = new BackupRequest(job.Host ?? _opener.Runtime.HostName, [.. job.Tags, JobTagPrefix + jobName]) { BeforeCommit = beforeCommit };
        OpenRepository? open = null;
        try
        {
            async Task<Core.Repository.Repository> Open(CancellationToken c) => (open ??= await _opener.OpenAsync(spec, c).ConfigureAwait(false)).Repository;
            var failures = new List<string>();
            foreach (var source in job.AllSources)
            {
                // The whole cache base is left out of tree sources: it is known before the repository
                // opens (so each source is planned once), and no repository's cache belongs in a backup.
                var plan = source.Plan(new SourceContext(spec.CacheDirectory is { } cache ? [cache] : [], _environment) { Log = _opener.Runtime.Logger });
                if (plan.Tree is not null)
                {
                    var repo = await Open(ct).ConfigureAwait(false);
                    snapshots.Add(await BackupService.BackupTreeAsync(repo, plan.Tree!, plan.Paths, request with { SourceName = plan.SourceName }, observer, ct).ConfigureAwait(false));
                }
                else if (plan.Streams is not null)
                {
                    var result = await BackupService.BackupStreamsAsync(plan.Streams, Open, request, observer, ct).ConfigureAwait(false);
                    snapshots.AddRange(result.Snapshots);
                    failures.AddRange(result.Failures);
                }
            }
            if (failures.Count > 0)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, failures.Count == 1 ? failures[0]
                    : $"{failures.Count} sources failed; no snapshot was written for them: {string.Join("; ", failures)}");
            }
            if (job.CopyTo is { Count: > 0 } copyTo && open is not null)
            {
                await CopyAsync(open.Repository, spec, copyTo, observer, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            if (open is not null) await open.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <c>copy_to</c>: mirror the repository to each location after the backups succeeded. A failed
    /// copy fails the job (exit 6) but leaves the snapshots just written in the primary repository.
    /// Targets are reached with the repository's S3 region and credentials, minus its Object Lock
    /// settings: the target bucket's own defaults apply.
    /// </summary>
    private async Task CopyAsync(Core.Repository.Repository repo, RepositorySpec spec, IReadOnlyList<string> locations, IBackupObserver observer, CancellationToken ct)
    {
        var s3 = new S3Spec { Region = spec.S3.Region, PathStyle = spec.S3.PathStyle, Profile = spec.S3.Profile, AccessKeyId = spec.S3.AccessKeyId, SecretAccessKey = spec.S3.SecretAccessKey };
        var results = await Core.Copy.CopyAfterBackup.RunAsync(repo, locations, l => StorageOpener.Open(l, s3, _opener.Runtime.Clock, _opener.Runtime.Logger), ct).ConfigureAwait(false);
        foreach (var r in results) observer.Note(r.Describe());
        if (!Core.Copy.CopyAfterBackup.AllOk(results))
        {
            throw new OffsiteException(ErrorKind.Io, string.Join("; ", results.Where(r => !r.Ok).Select(r => r.Describe())) + " (the snapshots in the primary repository are intact)");
        }
    }

    private static async Task RunAfterHookAsync(string jobName, JobSection job, List<Snapshot> snapshots, string? error, CancellationToken ct)
    {
        if (job.Hooks?.After is not { Count: > 0 } after) return;
        var env = new Dictionary<string, string>
        {
            ["OFFSITE_JOB"] = jobName,
            ["OFFSITE_OUTCOME"] = error is null ? "success" : "failure",
            ["OFFSITE_ERROR"] = error ?? "",
            ["OFFSITE_SNAPSHOTS"] = string.Join(' ', snapshots.Select(s => s.Id)),
        };
        await HookRunner.RunAsync(jobName, "after", after, env, ct).ConfigureAwait(false);
    }
}
