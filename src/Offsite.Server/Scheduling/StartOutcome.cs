namespace Offsite.Server.Scheduling;

/// <summary>Result of asking for a run: started, or why not (the API maps these to 202, 409, 404 and 503).</summary>
public sealed record StartOutcome(StartOutcomeKind Kind, RunRecord? Run, string? Message, Task? Completion)
{
    public static StartOutcome Started(RunRecord run, Task completion) => new(StartOutcomeKind.Started, run, null, completion);
    public static StartOutcome Refused(StartOutcomeKind kind, string message) => new(kind, null, message, null);
}

public enum StartOutcomeKind
{
    Started,
    /// <summary>A run of the job is in progress on this server.</summary>
    RunningHere,
    /// <summary>Another host holds the job's lease.</summary>
    RunningElsewhere,
    UnknownJob,
    ShuttingDown,
    /// <summary>The lease could not be read or written (storage unreachable).</summary>
    StorageFailed,
}
