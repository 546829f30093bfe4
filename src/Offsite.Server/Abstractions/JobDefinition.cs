namespace Offsite.Server.Abstractions;

/// <summary>
/// One scheduled job as the server sees it: what the application layer's config file says about scheduling, limits and
/// notifications. The server never looks at the job's source or repository settings; it passes <see cref="Name"/> back
/// to <see cref="IJobExecutor.RunAsync"/> and <see cref="Repository"/> to <see cref="ILeaseStorageProvider"/>.
/// </summary>
public sealed record JobDefinition
{
    /// <summary>Unique job name: letters, digits, '.', '_' and '-' (it becomes part of the lease object's key and of URLs).</summary>
    public required string Name { get; init; }

    /// <summary>Name of the repository (from the config) the job writes to. Jobs on one repository share its lease namespace.</summary>
    public required string Repository { get; init; }

    /// <summary>
    /// Cron expression: 5 fields (minute hour day month weekday), 6 fields (with seconds first), or a macro
    /// (<c>@hourly</c>, <c>@daily</c>, <c>@midnight</c>, <c>@weekly</c>, <c>@monthly</c>, <c>@yearly</c>, <c>@every_minute</c>).
    /// Null or empty: the job runs only when asked (<c>POST /api/jobs/{name}/run</c>).
    /// </summary>
    public string? Schedule { get; init; }

    /// <summary>IANA time zone id the schedule is read in (e.g. <c>Europe/Berlin</c>); null means UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Each scheduled run starts at a random delay in [0, Jitter) after its cron time, so hosts do not all start at once.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>A run still going after this long is cancelled (no snapshot is written). Null: no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>True when the job's repository has a retention policy, so <c>/api/forget</c> and <c>/api/prune</c> apply.</summary>
    public bool HasRetention { get; init; }

    /// <summary>Where to report runs; <see cref="NotificationSettings.None"/> when nothing is configured.</summary>
    public NotificationSettings Notifications { get; init; } = NotificationSettings.None;
}
