namespace Offsite.App.Backup;

/// <summary>The user-given parts of a backup run: who records it, with which tags, under which source name.</summary>
public sealed record BackupRequest(string Host, IReadOnlyList<string> Tags, string? SourceName = null)
{
    /// <summary>Runs right before each snapshot is written (a scheduler's lease fence); throwing there leaves no snapshot.</summary>
    public Func<CancellationToken, Task>? BeforeCommit { get; init; }

    /// <summary>The time recorded in the snapshot instead of now: importing an old backup, or building a history to try a retention policy on.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>Walk, chunk and hash, and report what would be added; write nothing (tree sources only).</summary>
    public bool DryRun { get; init; }

    /// <summary>Adds up each backup's CPU by stage (`backup --stage-times`); null: not measured.</summary>
    public Core.Backup.StageTimes? Stages { get; init; }

    /// <summary>A second instance of a tree source, walked ahead of the backup for a progress display's totals; null for none.</summary>
    public Core.Sources.ITreeSource? Scan { get; init; }
}
