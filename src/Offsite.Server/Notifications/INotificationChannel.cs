namespace Offsite.Server.Notifications;

/// <summary>One way of telling someone about a run. Throwing means "not delivered" (logged and counted by the dispatcher).</summary>
public interface INotificationChannel
{
    /// <summary>Metric label and log name: webhook, slack, ping, email.</summary>
    string Name { get; }

    /// <summary>Where it goes, safe to log (scheme and host only: URLs carry tokens).</summary>
    string Target { get; }

    /// <summary>Whether this channel reports this kind of event.</summary>
    bool Wants(RunEventKind kind);

    Task SendAsync(RunEvent runEvent, CancellationToken cancellationToken);
}
