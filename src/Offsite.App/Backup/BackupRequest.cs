namespace Offsite.App.Backup;

/// <summary>The user-given parts of a backup run: who records it, with which tags, under which source name.</summary>
public sealed record BackupRequest(string Host, IReadOnlyList<string> Tags, string? SourceName = null)
{
    /// <summary>Runs right before each snapshot is written (a scheduler's lease fence); throwing there leaves no snapshot.</summary>
    public Func<CancellationToken, Task>? BeforeCommit { get; init; }
}
