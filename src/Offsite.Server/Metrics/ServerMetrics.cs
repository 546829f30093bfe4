using Offsite.Server.Abstractions;
using Offsite.Server.Scheduling;
using Prometheus;

namespace Offsite.Server.Metrics;

/// <summary>
/// The Prometheus metrics of one server, in its own registry (several servers can share a process, as in tests).
/// Names and meanings are listed in docs/api.md; deploy/prometheus/alerts.yml and the Grafana dashboard use them.
/// </summary>
public sealed class ServerMetrics
{
    // Not "job": Prometheus sets that label itself (the scrape job) and would rename ours to exported_job.
    private static readonly string[] JobLabel = ["job_name"];
    private static readonly string[] JobRepositoryLabels = ["job_name", "repository"];

    private readonly Gauge _lastSuccess;
    private readonly Gauge _lastRun;
    private readonly Gauge _lastDuration;
    private readonly Gauge _lastRead;
    private readonly Gauge _lastAdded;
    private readonly Gauge _lastStored;
    private readonly Gauge _lastFiles;
    private readonly Gauge _lastDedup;
    private readonly Counter _runs;
    private readonly Counter _failures;
    private readonly Gauge _running;
    private readonly Gauge _nextRun;
    private readonly Gauge _interval;
    private readonly Gauge _paused;
    private readonly Gauge _repoSize;
    private readonly Gauge _repoSnapshots;
    private readonly Counter _notifications;
    private readonly Counter _reloads;
    private readonly Gauge _reloadOk;

    public ServerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        IMetricFactory f = Prometheus.Metrics.WithCustomRegistry(Registry);
        _lastSuccess = f.CreateGauge("offsite_job_last_success_timestamp_seconds", "Unix time of the job's last successful run (from the lease, so on any host).", JobRepositoryLabels);
        _lastRun = f.CreateGauge("offsite_job_last_run_timestamp_seconds", "Unix time the job's last run on this server ended.", JobLabel);
        _lastDuration = f.CreateGauge("offsite_job_last_run_duration_seconds", "Duration of the job's last run on this server.", JobLabel);
        _lastRead = f.CreateGauge("offsite_job_last_run_read_bytes", "Bytes read from the source by the last successful run.", JobLabel);
        _lastAdded = f.CreateGauge("offsite_job_last_run_added_bytes", "New (not deduplicated) bytes of the last successful run, before compression.", JobLabel);
        _lastStored = f.CreateGauge("offsite_job_last_run_stored_bytes", "Bytes the last successful run wrote to the repository (compressed, encrypted).", JobLabel);
        _lastFiles = f.CreateGauge("offsite_job_last_run_files", "Files in the last successful run's snapshot.", JobLabel);
        _lastDedup = f.CreateGauge("offsite_job_last_run_dedup_ratio", "Share of the bytes read that were already in the repository (0..1).", JobLabel);
        _runs = f.CreateCounter("offsite_job_runs_total", "Finished runs by status (succeeded, failed, timed_out, cancelled, lease_lost).", ["job_name", "status"]);
        _failures = f.CreateCounter("offsite_job_failures_total", "Finished runs that did not succeed.", JobLabel);
        _running = f.CreateGauge("offsite_job_running", "1 while the job runs on this server.", JobLabel);
        _nextRun = f.CreateGauge("offsite_job_next_run_timestamp_seconds", "Unix time of the job's next scheduled run (0: none).", JobLabel);
        _interval = f.CreateGauge("offsite_job_interval_seconds", "Time between two scheduled runs of the job (for 'no success in 2x the interval' alerts).", JobLabel);
        _paused = f.CreateGauge("offsite_job_paused", "1 while the job's schedule is paused.", JobLabel);
        _repoSize = f.CreateGauge("offsite_repository_size_bytes", "Stored size of the repository.", ["repository"]);
        _repoSnapshots = f.CreateGauge("offsite_repository_snapshots", "Snapshots in the repository.", ["repository"]);
        _notifications = f.CreateCounter("offsite_notifications_total", "Notification deliveries by channel and result (delivered, failed).", ["channel", "result"]);
        _reloads = f.CreateCounter("offsite_config_reloads_total", "Config reloads by result (succeeded, failed).", ["result"]);
        _reloadOk = f.CreateGauge("offsite_config_last_reload_successful", "1 when the last config reload succeeded (or none was tried).");
        _reloadOk.Set(1);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Creates the series of a job at zero (so rate() and absent() work from the start).</summary>
    public void DeclareJob(JobDefinition job, TimeSpan? interval)
    {
        _failures.WithLabels(job.Name);
        foreach (string status in StatusNames)
        {
            _runs.WithLabels(job.Name, status);
        }
        _running.WithLabels(job.Name).Set(0);
        _interval.WithLabels(job.Name).Set(interval?.TotalSeconds ?? 0);
        _paused.WithLabels(job.Name).Set(0);
    }

    /// <summary>Drops the series of a job removed from the config.</summary>
    public void ForgetJob(string job)
    {
        foreach (Gauge g in new[] { _lastRun, _lastDuration, _lastRead, _lastAdded, _lastStored, _lastFiles, _lastDedup, _running, _nextRun, _interval, _paused })
        {
            g.RemoveLabelled(job);
        }
        _failures.RemoveLabelled(job);
        foreach (string status in StatusNames)
        {
            _runs.RemoveLabelled(job, status);
        }
    }

    public void LastSuccess(string job, string repository, DateTimeOffset time) =>
        _lastSuccess.WithLabels(job, repository).Set(time.ToUnixTimeMilliseconds() / 1000.0);

    public void NextRun(string job, DateTimeOffset? time) => _nextRun.WithLabels(job).Set(time is null ? 0 : time.Value.ToUnixTimeMilliseconds() / 1000.0);

    public void Paused(string job, bool paused) => _paused.WithLabels(job).Set(paused ? 1 : 0);

    public void RunStarted(string job) => _running.WithLabels(job).Set(1);

    public void RunFinished(RunRecord run)
    {
        string job = run.Job;
        _running.WithLabels(job).Set(0);
        _runs.WithLabels(job, StatusName(run.Status)).Inc();
        if (run.Status != RunStatus.Succeeded)
        {
            _failures.WithLabels(job).Inc();
        }
        if (run.Finished is { } finished)
        {
            _lastRun.WithLabels(job).Set(finished.ToUnixTimeMilliseconds() / 1000.0);
            _lastDuration.WithLabels(job).Set((finished - run.Started).TotalSeconds);
        }
        if (run.Status == RunStatus.Succeeded && run.Result is { } r)
        {
            _lastRead.WithLabels(job).Set(r.BytesRead);
            _lastAdded.WithLabels(job).Set(r.BytesAdded);
            _lastStored.WithLabels(job).Set(r.BytesStored);
            _lastFiles.WithLabels(job).Set(r.Files);
            _lastDedup.WithLabels(job).Set(r.BytesRead > 0 ? Math.Clamp(1.0 - ((double)r.BytesAdded / r.BytesRead), 0, 1) : 0);
        }
    }

    public void Repository(string repository, RepositoryStats stats)
    {
        _repoSize.WithLabels(repository).Set(stats.SizeBytes);
        _repoSnapshots.WithLabels(repository).Set(stats.SnapshotCount);
    }

    public void Notification(string channel, bool delivered) => _notifications.WithLabels(channel, delivered ? "delivered" : "failed").Inc();

    public void Reload(bool succeeded)
    {
        _reloads.WithLabels(succeeded ? "succeeded" : "failed").Inc();
        _reloadOk.Set(succeeded ? 1 : 0);
    }

    public static string StatusName(RunStatus status) => status switch
    {
        RunStatus.Running => "running",
        RunStatus.Succeeded => "succeeded",
        RunStatus.Failed => "failed",
        RunStatus.TimedOut => "timed_out",
        RunStatus.Cancelled => "cancelled",
        RunStatus.LeaseLost => "lease_lost",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static readonly string[] StatusNames = ["succeeded", "failed", "timed_out", "cancelled", "lease_lost"];
}
