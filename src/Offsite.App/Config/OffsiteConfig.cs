using Offsite.App.Sources;
using Offsite.App.Restore;

namespace Offsite.App.Config;

/// <summary>
/// The config file (<c>offsite.yaml</c>, JSON accepted): named repositories and named jobs.
/// docs/config.md describes every key; <c>offsite config check</c> validates a file.
/// </summary>
public sealed class OffsiteConfig
{
    public Dictionary<string, RepositorySection> Repositories { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, JobSection> Jobs { get; set; } = new(StringComparer.Ordinal);
    public ServerSection? Server { get; set; }

    /// <summary>The file it was read from (for messages).</summary>
    public string File { get; set; } = "";
}

/// <summary>A repository: where it is, how to reach it, which key opens it.</summary>
public sealed class RepositorySection
{
    [RequiredKey, Help("a directory path, s3:https://host/bucket/prefix or s3://bucket/prefix")]
    public string Location { get; set; } = "";
    [Help("the passphrase: password, password_file or password_command")]
    public SecretValue? Password { get; set; }
    [Help("a key from `offsite key export`: key (the text), key_file or key_command")]
    public SecretValue? Key { get; set; }
    public string? CacheDir { get; set; }
    public bool NoCache { get; set; }
    public S3Section? S3 { get; set; }
    public ObjectLockSection? ObjectLock { get; set; }
    public LifecycleSection? Lifecycle { get; set; }
}

public sealed class S3Section
{
    public string? Endpoint { get; set; }
    public string? Region { get; set; }
    public bool PathStyle { get; set; }
    public string? Profile { get; set; }
    public string? AccessKeyId { get; set; }
    public SecretValue? SecretAccessKey { get; set; }
    public TimeSpan? IoTimeout { get; set; }
    public int? Retries { get; set; }
}

public sealed class ObjectLockSection
{
    [RequiredKey, Help("compliance or governance")]
    public string Mode { get; set; } = "";
    [RequiredKey]
    public int Days { get; set; }
}

/// <summary>Lifecycle-rule retention (used by <c>offsite init --job</c>).</summary>
public sealed class LifecycleSection
{
    [RequiredKey]
    public int ExpireDays { get; set; }
    [RequiredKey]
    public int RefreshDays { get; set; }
}

/// <summary>A job: what to back up, where, when, how long to keep it, and where it restores to.</summary>
public sealed class JobSection
{
    [Help("the name of a repository of this file (default: the only one)")]
    public string? Repository { get; set; }
    public SourceOptions? Source { get; set; }
    [Help("several sources, each stored as its own snapshot")]
    public List<SourceOptions>? Sources { get; set; }
    public List<string> Tags { get; set; } = new();
    public string? Host { get; set; }
    [Help("cron expression (5 or 6 fields) or @hourly, @daily, @weekly, @monthly")]
    public string? Schedule { get; set; }
    public string? TimeZone { get; set; }
    public TimeSpan? Jitter { get; set; }
    public TimeSpan? Timeout { get; set; }
    public RetentionSection? Retention { get; set; }
    public HooksSection? Hooks { get; set; }
    public RestoreTargetOptions? Restore { get; set; }
    [Help("locations to copy the repository to after each successful backup")]
    public List<string>? CopyTo { get; set; }
    [Help("where `offsite serve` reports failures (and, with on_success, successes)")]
    public NotifySection? Notify { get; set; }

    public IReadOnlyList<SourceOptions> AllSources => [.. Source is null ? [] : new[] { Source }, .. Sources ?? []];
}

/// <summary>GFS retention for <c>offsite forget --job</c> and the scheduler.</summary>
public sealed class RetentionSection
{
    public int? KeepLast { get; set; }
    public int? KeepHourly { get; set; }
    public int? KeepDaily { get; set; }
    public int? KeepWeekly { get; set; }
    public int? KeepMonthly { get; set; }
    public int? KeepYearly { get; set; }
    [Help("keep everything newer than this: 7d, 2w, 1y6m, …")]
    public string? KeepWithin { get; set; }
    public string? KeepWithinHourly { get; set; }
    public string? KeepWithinDaily { get; set; }
    public string? KeepWithinWeekly { get; set; }
    public string? KeepWithinMonthly { get; set; }
    public string? KeepWithinYearly { get; set; }
    public List<string>? KeepTag { get; set; }

    public Core.Retention.RetentionPolicy ToPolicy() => new()
    {
        KeepLast = KeepLast, KeepHourly = KeepHourly, KeepDaily = KeepDaily, KeepWeekly = KeepWeekly, KeepMonthly = KeepMonthly, KeepYearly = KeepYearly,
        KeepWithin = KeepWithin, KeepWithinHourly = KeepWithinHourly, KeepWithinDaily = KeepWithinDaily, KeepWithinWeekly = KeepWithinWeekly,
        KeepWithinMonthly = KeepWithinMonthly, KeepWithinYearly = KeepWithinYearly, KeepTags = KeepTag ?? [],
    };
}

/// <summary>Commands run around a job, as argv lists (no shell unless you name one).</summary>
public sealed class HooksSection
{
    [Help("runs before the backup; failing fails the run and no snapshot is written")]
    public List<string>? Before { get; set; }
    [Help("runs after the backup, also when it failed; OFFSITE_OUTCOME says how it went")]
    public List<string>? After { get; set; }
}

/// <summary><c>offsite serve</c>: where it listens, the API token, TLS and timings.</summary>
public sealed class ServerSection
{
    [Help("address:port to bind (default 127.0.0.1:8470)")]
    public string? Listen { get; set; }
    [RequiredKey, Help("bearer token for the API and the status page's actions")]
    public SecretValue? Token { get; set; }
    public string? TlsCert { get; set; }
    public string? TlsKey { get; set; }
    [Help("how long running jobs may finish after SIGTERM (default 60s)")]
    public TimeSpan? ShutdownGrace { get; set; }
    [Help("job lease validity; a crashed holder blocks others at most this long (default 2m)")]
    public TimeSpan? LeaseTtl { get; set; }
    public bool JsonLogs { get; set; }
    [Help("run a job once at start when its last success is older than its interval (default true)")]
    public bool? CatchUp { get; set; }
}

/// <summary>Notifications of a job's runs (<c>offsite serve</c>).</summary>
public sealed class NotifySection
{
    public bool OnSuccess { get; set; }
    [Help("generic JSON webhook (POST)")]
    public string? Webhook { get; set; }
    [Help("Slack-compatible incoming webhook")]
    public string? Slack { get; set; }
    [Help("healthchecks-style ping URL: /start, /fail and the URL itself")]
    public string? Ping { get; set; }
    public EmailSection? Email { get; set; }
}

public sealed class EmailSection
{
    [RequiredKey]
    public string Host { get; set; } = "";
    public int? Port { get; set; }
    public bool? StartTls { get; set; }
    [RequiredKey]
    public string From { get; set; } = "";
    [RequiredKey]
    public List<string> To { get; set; } = new();
    public string? Username { get; set; }
    public SecretValue? Password { get; set; }
}
