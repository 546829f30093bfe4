using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Offsite.Core.Storage;
using Offsite.Server.Abstractions;
using Offsite.Server.Leases;
using Offsite.Server.Metrics;
using Offsite.Server.Notifications;

namespace Offsite.Server.Scheduling;

/// <summary>
/// Starts and supervises runs: at most one per job on this server (an in-process claim) and across hosts (the job lease,
/// taken before the run starts so <c>POST /run</c> can answer 409 when another host runs the job). A run is cancelled by
/// its timeout, by losing the lease, or at shutdown after the grace period; it never writes a snapshot then, because
/// the executor's fence and token say so.
/// </summary>
public sealed partial class JobRunner
{
    private readonly IJobExecutor _executor;
    private readonly ILeaseStorageProvider _leases;
    private readonly ServerMetrics _metrics;
    private readonly NotificationDispatcher _notifications;
    private readonly RunHistory _history;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _host;
    private readonly int _pid;
    private readonly TimeSpan _leaseTtl;
    private readonly ConcurrentDictionary<string, ActiveRun> _active = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _hardStop = new();
    private volatile bool _closed;

    public JobRunner(IJobExecutor executor, ILeaseStorageProvider leases, ServerMetrics metrics, NotificationDispatcher notifications,
        RunHistory history, ILogger logger, TimeProvider time, string host, int pid, TimeSpan leaseTtl)
    {
        _executor = executor;
        _leases = leases;
        _metrics = metrics;
        _notifications = notifications;
        _history = history;
        _logger = logger;
        _time = time;
        _host = host;
        _pid = pid;
        _leaseTtl = leaseTtl;
    }

    public RunHistory History => _history;

    /// <summary>Raised when a run ends (after metrics, before notifications), with the job state to update.</summary>
    public event Action<JobDefinition, RunRecord, DateTimeOffset?>? RunEnded;

    public bool IsRunning(string job) => _active.ContainsKey(job);

    public int ActiveCount => _active.Count;

    public JobLeaseStore LeaseStore(string repository) =>
        new(_leases.GetStorage(repository), new JobLeaseOptions { Ttl = _leaseTtl, Host = _host, Pid = _pid, Time = _time });

    /// <summary>Claims the job here, takes its lease, and starts the run in the background.</summary>
    public async Task<StartOutcome> TryStartAsync(JobDefinition job, RunTrigger trigger, CancellationToken cancellationToken)
    {
        if (_closed)
        {
            return StartOutcome.Refused(StartOutcomeKind.ShuttingDown, "the server is shutting down");
        }
        var claim = new ActiveRun();
        if (!_active.TryAdd(job.Name, claim))
        {
            return StartOutcome.Refused(StartOutcomeKind.RunningHere, $"job {job.Name} is running");
        }
        JobLease lease;
        try
        {
            lease = await LeaseStore(job.Repository).AcquireAsync(job.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (JobLeaseHeldException e)
        {
            _active.TryRemove(job.Name, out _);
            return StartOutcome.Refused(StartOutcomeKind.RunningElsewhere, e.Message);
        }
        catch (StorageException e)
        {
            _active.TryRemove(job.Name, out _);
            LogLeaseStorageFailed(_logger, job.Name, e.Message);
            return StartOutcome.Refused(StartOutcomeKind.StorageFailed, $"job {job.Name}: the lease could not be taken: {e.Message}");
        }
        catch
        {
            _active.TryRemove(job.Name, out _);
            throw;
        }

        var run = new RunRecord(NewRunId(), job.Name, job.Repository, trigger, _time.GetUtcNow(), new RunLog(_time), lease.Token);
        claim.Run = run;
        _history.Add(run);
        _metrics.RunStarted(job.Name);
        Task completion = Task.Run(() => RunAsync(job, run, lease, claim), CancellationToken.None);
        claim.Completion = completion;
        return StartOutcome.Started(run, completion);
    }

    /// <summary>No new runs from now on (SIGTERM).</summary>
    public void Close() => _closed = true;

    /// <summary>Waits until every active run ended, or <paramref name="cancellationToken"/> fires.</summary>
    public async Task WaitForRunsAsync(CancellationToken cancellationToken)
    {
        while (!_active.IsEmpty)
        {
            Task[] running = _active.Values.Select(a => a.Completion ?? Task.CompletedTask).ToArray();
            await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Cancels every active run (after the grace period).</summary>
    public Task CancelAllAsync() => _hardStop.CancelAsync();

    private async Task RunAsync(JobDefinition job, RunRecord run, JobLease lease, ActiveRun claim)
    {
        RunStatus status = RunStatus.Failed;
        JobRunResult? result = null;
        string? error = null;
        int exitCode = 1;
        DateTimeOffset? succeededAt = null;
        try
        {
            LogRunStarted(_logger, job.Name, run.Id, ToName(run.Trigger), job.Repository, run.LeaseToken);
            run.Log.Write($"run {run.Id} of job {job.Name} started on {_host} ({ToName(run.Trigger)}, lease {lease.Token})");
            await _notifications.NotifyAsync(job.Notifications, new RunEvent(RunEventKind.Started, run, _host), CancellationToken.None).ConfigureAwait(false);

            lease.StartKeepAlive();
            using var timeout = job.Timeout is { } t ? new CancellationTokenSource(t, _time) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _hardStop.Token, lease.LostToken);
            try
            {
                result = await _executor.RunAsync(job.Name, run.Log, lease.VerifyAsync, linked.Token).ConfigureAwait(false);
                if (result.Succeeded && lease.LostReason is null)
                {
                    status = RunStatus.Succeeded;
                    exitCode = 0;
                    succeededAt = _time.GetUtcNow();
                }
                else if (lease.LostReason is not null && !result.Succeeded)
                {
                    (status, error, exitCode) = (RunStatus.LeaseLost, lease.LostReason, result.ExitCode);
                }
                else
                {
                    (status, error, exitCode) = Classify(job, timeout, lease, result.Error ?? $"exit code {result.ExitCode}", result.ExitCode);
                }
            }
            catch (JobLeaseLostException e)
            {
                (status, error, exitCode) = (RunStatus.LeaseLost, e.Message, ExitCodeInterrupted);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                (status, error, exitCode) = Classify(job, timeout, lease, "cancelled", ExitCodeInterrupted);
            }
#pragma warning disable CA1031 // any executor failure is reported on the run (exit code 1), never crashes the server
            catch (Exception e)
#pragma warning restore CA1031
            {
                (status, error, exitCode) = (RunStatus.Failed, $"internal error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", 1);
                LogExecutorCrashed(_logger, e, job.Name, run.Id);
            }
        }
        finally
        {
            try
            {
                await lease.ReleaseAsync(succeededAt, CancellationToken.None).ConfigureAwait(false);
            }
            catch (StorageException e)
            {
                LogLeaseStorageFailed(_logger, job.Name, e.Message); // it expires after its TTL
            }
            await lease.DisposeAsync().ConfigureAwait(false);
        }

        DateTimeOffset finished = _time.GetUtcNow();
        if (error is not null)
        {
            run.Log.Write($"{ToStatusWords(status)}: {error}");
        }
        run.Complete(status, result, error, exitCode, finished);
        _metrics.RunFinished(run);
        if (succeededAt is { } s)
        {
            _metrics.LastSuccess(job.Name, job.Repository, s);
        }
        LogRunEnded(run);
        _active.TryRemove(new KeyValuePair<string, ActiveRun>(job.Name, claim));
        RunEnded?.Invoke(job, run, succeededAt);
        RunEventKind kind = status == RunStatus.Succeeded ? RunEventKind.Succeeded : RunEventKind.Failed;
        await _notifications.NotifyAsync(job.Notifications, new RunEvent(kind, run, _host), CancellationToken.None).ConfigureAwait(false);
    }

    private (RunStatus, string, int) Classify(JobDefinition job, CancellationTokenSource timeout, JobLease lease, string fallback, int exitCode)
    {
        if (lease.LostReason is not null)
        {
            return (RunStatus.LeaseLost, lease.LostReason, exitCode == 0 ? ExitCodeInterrupted : exitCode);
        }
        if (timeout.IsCancellationRequested)
        {
            string limit = job.Timeout?.ToString("c", CultureInfo.InvariantCulture) ?? "?";
            return (RunStatus.TimedOut, $"timed out after {limit}; no snapshot was written", ExitCodeInterrupted);
        }
        if (_hardStop.IsCancellationRequested)
        {
            return (RunStatus.Cancelled, "cancelled at shutdown after the grace period; no snapshot was written", ExitCodeInterrupted);
        }
        return (RunStatus.Failed, fallback, exitCode == 0 ? 1 : exitCode);
    }

    private void LogRunEnded(RunRecord run)
    {
        double seconds = run.Duration?.TotalSeconds ?? 0;
        JobRunResult? r = run.Result;
        if (run.Status == RunStatus.Succeeded)
        {
            LogRunSucceeded(_logger, run.Job, run.Id, seconds, string.Join(",", r?.SnapshotIds ?? []), r?.Files ?? 0, r?.BytesRead ?? 0, r?.BytesAdded ?? 0, r?.BytesStored ?? 0);
        }
        else
        {
            LogRunFailed(_logger, run.Job, run.Id, ServerMetrics.StatusName(run.Status), seconds, run.ExitCode, run.Error ?? "");
        }
    }

    /// <summary>README "Exit codes": 130 = interrupted.</summary>
    private const int ExitCodeInterrupted = 130;

    private static string NewRunId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    internal static string ToName(RunTrigger trigger) => trigger switch
    {
        RunTrigger.Schedule => "schedule",
        RunTrigger.CatchUp => "catch-up",
        _ => "manual",
    };

    private static string ToStatusWords(RunStatus status) => ServerMetrics.StatusName(status).Replace('_', ' ');

    private sealed class ActiveRun
    {
        public RunRecord? Run { get; set; }
        public Task? Completion { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} of job {Job} started ({Trigger}, repository {Repository}, lease {LeaseToken})")]
    private static partial void LogRunStarted(ILogger logger, string job, string runId, string trigger, string repository, long leaseToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} of job {Job} succeeded in {DurationSeconds:0.###} s: snapshots {Snapshots}, {Files} files, read {BytesRead} B, added {BytesAdded} B, stored {BytesStored} B")]
    private static partial void LogRunSucceeded(ILogger logger, string job, string runId, double durationSeconds, string snapshots, long files, long bytesRead, long bytesAdded, long bytesStored);

    [LoggerMessage(Level = LogLevel.Error, Message = "run {RunId} of job {Job} {Status} after {DurationSeconds:0.###} s (exit code {ExitCode}): {Error}")]
    private static partial void LogRunFailed(ILogger logger, string job, string runId, string status, double durationSeconds, int exitCode, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "job {Job}: the executor failed unexpectedly in run {RunId}")]
    private static partial void LogExecutorCrashed(ILogger logger, Exception exception, string job, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {Job}: lease storage failed: {Reason}")]
    private static partial void LogLeaseStorageFailed(ILogger logger, string job, string reason);
}
