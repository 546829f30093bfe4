namespace Offsite.Core.Backup;

/// <summary>
/// A backup was cancelled (Ctrl-C, SIGTERM, a stopped job). No snapshot was written; the packs it
/// had uploaded are indexed, so the next backup finds their data in the repository.
/// </summary>
public sealed class BackupInterruptedException(long keptPacks, long keptBytes, CancellationToken token, Exception inner)
    : OperationCanceledException("the backup was interrupted", inner, token)
{
    /// <summary>Packs this run uploaded and indexed.</summary>
    public long KeptPacks { get; } = keptPacks;

    /// <summary>Their stored size in bytes.</summary>
    public long KeptBytes { get; } = keptBytes;
}
