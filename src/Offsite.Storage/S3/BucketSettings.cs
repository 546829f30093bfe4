namespace Offsite.Storage.S3;

/// <summary>
/// What `offsite bucket setup` configures: versioning (always), Object Lock default retention,
/// lifecycle rules, and the least-privilege policies it prints. <see cref="Problems"/> lists the
/// combinations that cannot be safe; setup refuses them.
/// </summary>
public sealed record BucketSettings
{
    public required string Bucket { get; init; }
    /// <summary>The repository prefix, "" or ending in '/'.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>
    /// What the expiry rule may delete: packs, indexes and snapshots. Never <c>config</c> or
    /// <c>keys/</c>: expiring those would make the whole repository unreadable.
    /// </summary>
    public IEnumerable<(string Name, string Prefix)> ExpiringPrefixes =>
        new[] { "packs/", "index/", "snapshots/" }.Select(p => (p.TrimEnd('/'), Prefix + p));
    public ObjectLockKind Lock { get; init; } = ObjectLockKind.None;
    public int LockDays { get; init; }
    /// <summary>How often backups run (the schedule).</summary>
    public int BackupIntervalDays { get; init; } = 1;
    /// <summary>Lifecycle expiry of current objects; null for none.</summary>
    public int? ExpireDays { get; init; }
    /// <summary>Refresh horizon R: backups never reference data older than R days (needed with <see cref="ExpireDays"/>).</summary>
    public int? RefreshDays { get; init; }
    /// <summary>How long overwritten or deleted versions are kept before the lifecycle removes them.</summary>
    public int NoncurrentDays { get; init; } = 30;
    /// <summary>The backup host may also read and list, to dedup against the whole repository.</summary>
    public bool DedupRemote { get; init; }
    /// <summary>Move data packs (prefix <c>packs/</c> and tag <see cref="S3Options.DataPackTag"/>) to <see cref="TransitionClass"/> this many days after they were written; null for no transition.</summary>
    public int? TransitionDays { get; init; }
    /// <summary>The class data packs move to (STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE…).</summary>
    public string? TransitionClass { get; init; }
    /// <summary>The prefix the transition rule matches; data and tree packs share it, the tag tells them apart.</summary>
    public string DataPackPrefix => Prefix + "packs/";

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (BackupIntervalDays < 1)
        {
            problems.Add("--backup-interval-days must be at least 1.");
        }
        if (Lock != ObjectLockKind.None && LockDays < BackupIntervalDays)
        {
            problems.Add(
                $"Object Lock of {LockDays} day(s) is shorter than the backup interval of {BackupIntervalDays} day(s): every object's lock would " +
                "run out before the next backup is written, so for part of every interval no backup at all is protected from deletion. " +
                $"Use --lock-days {BackupIntervalDays} or more (several intervals is better: the lock is the window in which you must notice an attack).");
        }
        if (Lock == ObjectLockKind.None && LockDays > 0)
        {
            problems.Add("--lock-days needs --object-lock compliance|governance.");
        }
        if (ExpireDays is int e)
        {
            if (RefreshDays is not int r)
            {
                problems.Add(
                    $"--expire-days {e} needs --refresh-days R: a lifecycle rule deletes objects by age, not by use, so it is only safe when backups " +
                    "never reference data older than R days (they upload it again instead). Without a refresh horizon it would delete data the newest snapshots still need.");
            }
            else if (r < 1)
            {
                problems.Add("--refresh-days must be at least 1.");
            }
            else if (e < r + 1)
            {
                problems.Add(
                    $"Expiry of {e} day(s) is shorter than the refresh horizon of {r} day(s) + 1: a snapshot may reference data up to {r} days old, " +
                    $"and the lifecycle would delete that data before the snapshot is {e - r} day(s) old; a backup needs at least one day between " +
                    $"refreshing data and its expiry. Use --expire-days {r + 1} or more, or a smaller --refresh-days.");
            }
            else if (e - r < BackupIntervalDays)
            {
                problems.Add(
                    $"Snapshots stay valid for expiry − refresh = {e - r} day(s), less than the backup interval of {BackupIntervalDays} day(s): there would be " +
                    $"times with no restorable snapshot. Use --expire-days {r + BackupIntervalDays} or more.");
            }
        }
        else if (RefreshDays is not null)
        {
            problems.Add("--refresh-days only matters with --expire-days.");
        }
        if ((TransitionDays is null) != (TransitionClass is null))
        {
            problems.Add("--transition-days and --transition-class go together: after how many days data packs move, and to which class.");
        }
        else if (TransitionDays is int t)
        {
            if (t < 0)
            {
                problems.Add("--transition-days must be 0 or more.");
            }
            if (TransitionClass is "STANDARD_IA" or "ONEZONE_IA" && t < 30)
            {
                problems.Add($"S3 refuses transitions to {TransitionClass} before 30 days; use --transition-days 30 or more.");
            }
            if (ExpireDays is int expire && t >= expire)
            {
                problems.Add($"--transition-days {t} is not before --expire-days {expire}: data packs would expire before (or as) they move; a smaller --transition-days, or no transition.");
            }
        }
        if (NoncurrentDays < 1)
        {
            problems.Add("--noncurrent-days must be at least 1.");
        }
        return problems;
    }
}
