using Offsite.Core.Errors;
using Offsite.Core.Snapshots;

namespace Offsite.App.Jobs;

/// <summary>How a job run ended: its snapshots, and the first failure (null on success) with its kind.</summary>
public sealed record JobResult(string Job, IReadOnlyList<Snapshot> Snapshots, string? Error, ErrorKind? ErrorKind, TimeSpan Duration)
{
    public bool Succeeded => Error is null;
}
