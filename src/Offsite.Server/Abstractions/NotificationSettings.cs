namespace Offsite.Server.Abstractions;

/// <summary>
/// Where a job's runs are reported. Failures are always sent to every configured channel; successes only when
/// <see cref="OnSuccess"/> is set. Healthchecks-style pings are sent for start, success and failure regardless, because
/// a ping service needs the success pings to notice silence. Every URL here is a secret (webhook URLs carry tokens):
/// the server never logs one, only its scheme and host.
/// </summary>
public sealed record NotificationSettings
{
    public static readonly NotificationSettings None = new();

    /// <summary>Also notify the webhook, Slack and e-mail channels when a run succeeds.</summary>
    public bool OnSuccess { get; init; }

    /// <summary>Generic webhook: the run as a JSON document (see docs/api.md), POSTed.</summary>
    public Uri? WebhookUrl { get; init; }

    /// <summary>Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): <c>{"text": …}</c> POSTed.</summary>
    public Uri? SlackUrl { get; init; }

    /// <summary>
    /// Healthchecks-style ping URL (healthchecks.io, Uptime Kuma push, Cronitor): POST <c>URL/start</c> when a run starts,
    /// <c>URL</c> on success and <c>URL/fail</c> on failure, each with the tail of the run's log as body.
    /// </summary>
    public Uri? PingUrl { get; init; }

    /// <summary>E-mail via SMTP.</summary>
    public EmailSettings? Email { get; init; }

    public bool IsEmpty => WebhookUrl is null && SlackUrl is null && PingUrl is null && Email is null;
}

/// <summary>SMTP delivery. <see cref="Password"/> is resolved by the application layer (file or command) and never logged.</summary>
public sealed record EmailSettings
{
    public required string Host { get; init; }
    public int Port { get; init; } = 587;

    /// <summary>Upgrade the connection with STARTTLS (required when a password is sent to a non-local server).</summary>
    public bool StartTls { get; init; } = true;

    public required string From { get; init; }
    public required IReadOnlyList<string> To { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }

    public override string ToString() => $"smtp://{Host}:{Port} -> {string.Join(", ", To)}";
}
