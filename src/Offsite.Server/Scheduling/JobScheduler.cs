using System.Collections.Immutable;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Offsite.Core.Storage;
using Offsite.Server.Abstractions;
using Offsite.Server.Hosting;
using Offsite.Server.Leases;
using Offsite.Server.Metrics;

namespace Offsite.Server.Scheduling;

/// <summary>
/// Runs each job on its cron schedule (one loop per job, all waiting on the injected <see cref="TimeProvider"/>), with
/// one catch-up run at start when a scheduled time passed since the job's last success. The next time is computed when
/// the previous run ended, so a run longer than the interval skips the times it overlapped instead of queueing them.
/// Reload swaps the job set: loops restart, running runs go on. Stop (SIGTERM): no new runs, running ones get the grace
/// period, then are cancelled; the host then exits 0.
/// </summary>
public sealed partial class JobScheduler : IHostedService, IDisposable
{
    private readonly IJobCatalog _catalog;
    private readonly JobRunner _runner;
    private readonly ServerMetrics _metrics;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly Dictionary<string, JobState> _states = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, ScheduledJob> _jobs = ImmutableDictionary<string, ScheduledJob>.Empty.WithComparers(StringComparer.Ordinal);
    private CancellationTokenSource _loopsStop = new();
    private List<Task> _loops = [];
    private volatile bool _stopping;

    public JobScheduler(IJobCatalog catalog, JobRunner runner, ServerMetrics metrics, ServerOptions options, ILogger logger)
    {
        _catalog = catalog;
        _runner = runner;
        _metrics = metrics;
        _options = options;
        _logger = logger;
        _time = options.Time;
        _runner.RunEnded += OnRunEnded;
    }

    /// <summary>Raised when a job loop has armed its timer for the next run (a test seam: advancing a fake clock is safe from then on).</summary>
    internal event Action<string, DateTimeOffset>? WaitingForDue;

    /// <summary>The jobs in force, by name.</summary>
    public IReadOnlyDictionary<string, ScheduledJob> Jobs => _jobs;

    public bool Started { get; private set; }
    public bool Stopping => _stopping;

    /// <summary>Last reload error (null after a good one).</summary>
    public string? LastReloadError { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // An invalid config at start is fatal (the CLI reports it with exit code 2); at reload it is not.
        ImmutableDictionary<string, ScheduledJob> jobs = Compile(_catalog.Jobs);
        Apply(jobs, catchUp: _options.CatchUpMissedRuns);
        Started = true;
        LogStarted(_logger, jobs.Count);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _runner.Close();
        await _loopsStop.CancelAsync().ConfigureAwait(false);
        int running = _runner.ActiveCount;
        if (running > 0)
        {
            using var grace = new CancellationTokenSource(_options.ShutdownGrace, _time);
            LogDraining(_logger, running, _options.ShutdownGrace.TotalSeconds);
            using var graceOrHost = CancellationTokenSource.CreateLinkedTokenSource(grace.Token, cancellationToken);
            try
            {
                await _runner.WaitForRunsAsync(graceOrHost.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                LogCancelling(_logger, _runner.ActiveCount);
                await _runner.CancelAllAsync().ConfigureAwait(false);
                await _runner.WaitForRunsAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        await Task.WhenAll(_loops).ConfigureAwait(false);
        LogStopped(_logger);
    }

    /// <summary>Re-reads the config (SIGHUP, POST /api/reload). Returns the error when the new config is refused; the old one stays.</summary>
    public async Task<string?> ReloadAsync(CancellationToken cancellationToken)
    {
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string? error;
            try
            {
                CatalogReloadResult result = await _catalog.ReloadAsync(cancellationToken).ConfigureAwait(false);
                error = result.Error;
                if (error is null && !_stopping)
                {
                    Apply(Compile(_catalog.Jobs), catchUp: false);
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = $"reading the config failed: {e.Message.ReplaceLineEndings(" ")}";
            }
            LastReloadError = error;
            _metrics.Reload(error is null);
            if (error is null)
            {
                LogReloaded(_logger, _jobs.Count);
            }
            else
            {
                LogReloadFailed(_logger, error);
            }
            return error;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    /// <summary>Starts a run now (<c>POST /api/jobs/{name}/run</c>, the status page's button).</summary>
    public Task<StartOutcome> RunNowAsync(string name, CancellationToken cancellationToken)
    {
        if (!_jobs.TryGetValue(name, out ScheduledJob? job))
        {
            return Task.FromResult(StartOutcome.Refused(StartOutcomeKind.UnknownJob, $"no job named {name}"));
        }
        if (_stopping)
        {
            return Task.FromResult(StartOutcome.Refused(StartOutcomeKind.ShuttingDown, "the server is shutting down"));
        }
        return _runner.TryStartAsync(job.Definition, RunTrigger.Manual, cancellationToken);
    }

    /// <summary>Pauses or resumes a job's schedule (in memory: a restart resumes it). False when no such job.</summary>
    public bool SetPaused(string name, bool paused)
    {
        if (!_jobs.TryGetValue(name, out ScheduledJob? job))
        {
            return false;
        }
        job.State.Paused = paused;
        _metrics.Paused(name, paused);
        LogPaused(_logger, name, paused ? "paused" : "resumed");
        return true;
    }

    private ImmutableDictionary<string, ScheduledJob> Compile(IReadOnlyList<JobDefinition> definitions)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, ScheduledJob>(StringComparer.Ordinal);
        foreach (JobDefinition definition in definitions)
        {
            CronSchedule? schedule = ScheduledJob.Compile(definition);
            if (builder.ContainsKey(definition.Name))
            {
                throw new FormatException($"job {definition.Name} is defined twice");
            }
            JobState state;
            lock (_states)
            {
                state = _states.TryGetValue(definition.Name, out JobState? existing) ? existing : new JobState(definition.Name);
            }
            builder[definition.Name] = new ScheduledJob(definition, schedule, state);
        }
        return builder.ToImmutable();
    }

    private void Apply(ImmutableDictionary<string, ScheduledJob> jobs, bool catchUp)
    {
        // Old loops stop waiting; their runs (if any) go on and still hold the in-process claim and the lease.
        _loopsStop.Cancel();
        _loopsStop.Dispose();
        _loopsStop = new CancellationTokenSource();
        CancellationToken stop = _loopsStop.Token;
        foreach (string removed in _jobs.Keys.Where(k => !jobs.ContainsKey(k)))
        {
            _metrics.ForgetJob(removed);
        }
        lock (_states)
        {
            foreach (ScheduledJob job in jobs.Values)
            {
                _states[job.Definition.Name] = job.State;
            }
        }
        _jobs = jobs;
        var loops = new List<Task>();
        DateTimeOffset now = _time.GetUtcNow();
        foreach (ScheduledJob job in jobs.Values)
        {
            _metrics.DeclareJob(job.Definition, job.Interval(now));
            _metrics.Paused(job.Definition.Name, job.State.Paused);
            loops.Add(Task.Run(() => LoopAsync(job, catchUp, stop), CancellationToken.None));
        }
        _loops = [.. _loops.Where(t => !t.IsCompleted), .. loops];
    }

    private async Task LoopAsync(ScheduledJob job, bool catchUp, CancellationToken stop)
    {
        JobDefinition definition = job.Definition;
        try
        {
            DateTimeOffset? lastSuccess = await ReadLastSuccessAsync(definition, stop).ConfigureAwait(false);
            if (job.Schedule is null)
            {
                job.State.NextRun = null;
                _metrics.NextRun(definition.Name, null);
                return;
            }
            if (catchUp && !job.State.Paused && job.Schedule.MissedSince(lastSuccess, _time.GetUtcNow()))
            {
                LogCatchUp(_logger, definition.Name, lastSuccess?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "never");
                await StartAndWaitAsync(definition, RunTrigger.CatchUp, stop).ConfigureAwait(false);
            }
            while (!stop.IsCancellationRequested)
            {
                DateTimeOffset now = _time.GetUtcNow();
                if (job.Schedule.Next(now) is not { } next)
                {
                    job.State.NextRun = null;
                    _metrics.NextRun(definition.Name, null);
                    return;
                }
                DateTimeOffset due = next + Jitter(definition.Jitter);
                job.State.NextRun = due;
                _metrics.NextRun(definition.Name, due);
                await DelayUntilAsync(definition.Name, due, stop).ConfigureAwait(false);
                if (job.State.Paused)
                {
                    continue;
                }
                await StartAndWaitAsync(definition, RunTrigger.Schedule, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // reload or shutdown
        }
    }

    private async Task StartAndWaitAsync(JobDefinition job, RunTrigger trigger, CancellationToken stop)
    {
        StartOutcome outcome = await _runner.TryStartAsync(job, trigger, stop).ConfigureAwait(false);
        if (outcome.Completion is { } completion)
        {
            await completion.WaitAsync(stop).ConfigureAwait(false);
        }
        else
        {
            LogSkipped(_logger, job.Name, JobRunner.ToName(trigger), outcome.Message ?? "");
        }
    }

    private async Task DelayUntilAsync(string job, DateTimeOffset due, CancellationToken stop)
    {
        // Loop: a timer may fire a little early relative to a clock that is adjusted.
        TimeSpan wait;
        while ((wait = due - _time.GetUtcNow()) > TimeSpan.Zero)
        {
            Task delay = Task.Delay(wait, _time, stop); // the timer exists from here on
            WaitingForDue?.Invoke(job, due);
            await delay.ConfigureAwait(false);
        }
    }

    private TimeSpan Jitter(TimeSpan max)
    {
        if (max <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }
        lock (_options.Random)
        {
            return TimeSpan.FromTicks((long)(_options.Random.NextDouble() * max.Ticks));
        }
    }

    private async Task<DateTimeOffset?> ReadLastSuccessAsync(JobDefinition job, CancellationToken stop)
    {
        try
        {
            LeaseRecord? record = await _runner.LeaseStore(job.Repository).ReadAsync(job.Name, stop).ConfigureAwait(false);
            if (record?.LastSuccess is { } last)
            {
                JobState state = _jobs.TryGetValue(job.Name, out ScheduledJob? s) ? s.State : new JobState(job.Name);
                state.LastSuccess ??= last;
                if (state.LastSuccess < last)
                {
                    state.LastSuccess = last;
                }
                _metrics.LastSuccess(job.Name, job.Repository, last);
            }
            return record?.LastSuccess;
        }
        catch (Exception e) when (e is StorageException or JobLeaseHeldException)
        {
            LogLastSuccessUnknown(_logger, job.Name, e.Message);
            return DateTimeOffset.MaxValue; // unknown: no catch-up (storage is down anyway)
        }
    }

    private void OnRunEnded(JobDefinition job, RunRecord run, DateTimeOffset? succeededAt)
    {
        JobState state;
        lock (_states)
        {
            if (!_states.TryGetValue(job.Name, out state!))
            {
                return;
            }
        }
        state.LastRun = run;
        if (succeededAt is { } s)
        {
            state.LastSuccess = s;
            state.LastError = null;
        }
        else
        {
            state.LastError = run.Error;
        }
    }

    public void Dispose()
    {
        _runner.RunEnded -= OnRunEnded;
        _loopsStop.Dispose();
        _reloadGate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "scheduler started with {Count} jobs")]
    private static partial void LogStarted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "shutting down: no new runs; waiting up to {GraceSeconds} s for {Count} running jobs")]
    private static partial void LogDraining(ILogger logger, int count, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "grace period over: cancelling {Count} running jobs (no snapshot will be written)")]
    private static partial void LogCancelling(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "scheduler stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "config reloaded: {Count} jobs")]
    private static partial void LogReloaded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "config reload refused, the previous config stays in force: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {Job} {Action}")]
    private static partial void LogPaused(ILogger logger, string job, string action);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {Job}: catch-up run (last success {LastSuccess}, a scheduled time has passed since)")]
    private static partial void LogCatchUp(ILogger logger, string job, string lastSuccess);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {Job}: {Trigger} run skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string job, string trigger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {Job}: last success unknown, no catch-up: {Reason}")]
    private static partial void LogLastSuccessUnknown(ILogger logger, string job, string reason);
}
