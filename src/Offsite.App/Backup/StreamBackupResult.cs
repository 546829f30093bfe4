using Offsite.Core.Snapshots;

namespace Offsite.App.Backup;

/// <summary>What a stream source's run stored, and which of its streams failed (each one's message).</summary>
public sealed record StreamBackupResult(IReadOnlyList<Snapshot> Snapshots, IReadOnlyList<string> Failures, int Streams)
{
    public bool Succeeded => Failures.Count == 0;
}
