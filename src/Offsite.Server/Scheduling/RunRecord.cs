using Offsite.Server.Abstractions;

namespace Offsite.Server.Scheduling;

/// <summary>One run of a job, as the API and status page show it. Mutable only by the run that owns it.</summary>
public sealed class RunRecord
{
    public RunRecord(string id, string job, string repository, RunTrigger trigger, DateTimeOffset started, RunLog log, long leaseToken)
    {
        Id = id;
        Job = job;
        Repository = repository;
        Trigger = trigger;
        Started = started;
        Log = log;
        LeaseToken = leaseToken;
    }

    public string Id { get; }
    public string Job { get; }
    public string Repository { get; }
    public RunTrigger Trigger { get; }
    public DateTimeOffset Started { get; }
    public RunLog Log { get; }
    public long LeaseToken { get; }

    public RunStatus Status { get; private set; } = RunStatus.Running;
    public DateTimeOffset? Finished { get; private set; }
    public JobRunResult? Result { get; private set; }
    public string? Error { get; private set; }
    public int ExitCode { get; private set; }

    public TimeSpan? Duration => Finished - Started;

    internal void Complete(RunStatus status, JobRunResult? result, string? error, int exitCode, DateTimeOffset finished)
    {
        Result = result;
        Error = error;
        ExitCode = exitCode;
        Finished = finished;
        Status = status; // last: readers that see a final status see the rest
    }
}
