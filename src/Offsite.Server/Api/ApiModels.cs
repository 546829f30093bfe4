using Offsite.Server.Metrics;
using Offsite.Server.Scheduling;

namespace Offsite.Server.Api;

// The JSON documents of the HTTP API (snake_case on the wire; see docs/api.md).

public sealed record ErrorDocument(string Error);

public sealed record JobDocument(
    string Name, string Repository, string? Schedule, string? TimeZone, double JitterSeconds, double? TimeoutSeconds,
    bool HasRetention, string State, bool Paused, DateTimeOffset? NextRun, DateTimeOffset? LastSuccess, string? LastError,
    RunDocument? LastRun)
{
    public static JobDocument From(ScheduledJob job, bool running)
    {
        var d = job.Definition;
        var s = job.State;
        string state = running ? "running" : s.Paused ? "paused" : "idle";
        return new JobDocument(d.Name, d.Repository, d.Schedule, d.TimeZone ?? "UTC", d.Jitter.TotalSeconds, d.Timeout?.TotalSeconds,
            d.HasRetention, state, s.Paused, s.Paused ? null : s.NextRun, s.LastSuccess, s.LastError,
            s.LastRun is { } r ? RunDocument.From(r, withLog: false) : null);
    }
}

public sealed record RunDocument(
    string Id, string Job, string Repository, string Trigger, string Status, DateTimeOffset Started, DateTimeOffset? Finished,
    double? DurationSeconds, string? Error, int? ExitCode, long LeaseToken, IReadOnlyList<string> Snapshots, long BytesRead,
    long BytesAdded, long BytesStored, long Files, IReadOnlyList<string>? Log)
{
    public static RunDocument From(RunRecord run, bool withLog)
    {
        var r = run.Result;
        bool done = run.Status != RunStatus.Running;
        return new RunDocument(run.Id, run.Job, run.Repository, JobRunner.ToName(run.Trigger), ServerMetrics.StatusName(run.Status),
            run.Started, run.Finished, run.Duration?.TotalSeconds, run.Error, done ? run.ExitCode : null, run.LeaseToken,
            r?.SnapshotIds ?? [], r?.BytesRead ?? 0, r?.BytesAdded ?? 0, r?.BytesStored ?? 0, r?.Files ?? 0,
            withLog ? run.Log.Lines() : null);
    }
}

public sealed record CheckRequest(string? Repository, string? ReadDataSubset);

public sealed record ForgetRequest(string? Repository, string? Job, bool DryRun);

public sealed record PruneRequest(string? Repository, bool DryRun);

public sealed record ReloadDocument(int Jobs);
