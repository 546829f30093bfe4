namespace Offsite.Server.Scheduling;

/// <summary>Where a run is; JSON uses the lower-case names.</summary>
public enum RunStatus
{
    Running,
    Succeeded,
    Failed,
    /// <summary>Exceeded the job's timeout and was cancelled (no snapshot).</summary>
    TimedOut,
    /// <summary>Cancelled at shutdown after the grace period (no snapshot).</summary>
    Cancelled,
    /// <summary>The lease was taken over by another host before the snapshot was written (no snapshot).</summary>
    LeaseLost,
}

/// <summary>What started a run.</summary>
public enum RunTrigger
{
    Schedule,
    CatchUp,
    Manual,
}
