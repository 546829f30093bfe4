namespace Offsite.Core.Prune;

/// <summary>How a prune run behaves (docs/format.md, "Forget and prune").</summary>
public sealed record PruneOptions
{
    /// <summary>
    /// Time between condemning packs and deleting them. It must exceed the time a backup needs from its last read of
    /// <c>prune-state</c> to its snapshot being stored (a backup that runs longer than this and reused condemned data
    /// fails instead of committing); longer also means fewer such failures.
    /// </summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Unused space tolerated in partly used packs, as a fraction of the used data (restic's --max-unused).</summary>
    public double MaxUnused { get; init; } = 0.10;

    /// <summary>At most this many bytes of packs are repacked in one run; null: no limit.</summary>
    public long? MaxRepackSize { get; init; }

    /// <summary>Compute and report only: nothing is written or deleted.</summary>
    public bool DryRun { get; init; }

    /// <summary>After condemning, wait out the grace period under the lock and sweep in the same run.</summary>
    public bool Wait { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// The shortest grace accepted (<see cref="PruneState.MinimumGrace"/>). Only tests lower it: backups assume every
    /// prune's grace is at least four times their snapshot deadline.
    /// </summary>
    public TimeSpan MinimumGrace { get; init; } = PruneState.MinimumGrace;

    /// <summary>Reports a phase as it starts (for a progress line).</summary>
    public IProgress<string>? Progress { get; init; }
}
