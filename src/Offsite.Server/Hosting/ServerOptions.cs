using System.Net;

namespace Offsite.Server.Hosting;

/// <summary>Settings of <c>offsite serve</c> (the <c>server:</c> section of the config, resolved by the application layer).</summary>
public sealed record ServerOptions
{
    /// <summary>Address to listen on. Default loopback only: exposing the API is a deliberate choice.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free one (tests read <see cref="RunningServer.BaseAddress"/>).</summary>
    public int Port { get; init; } = 8470;

    /// <summary>
    /// Bearer token required on every path except <c>/healthz</c> (resolved from the config, a file or a command by the
    /// application layer). Never logged.
    /// </summary>
    public required string Token { get; init; }

    /// <summary>PEM certificate chain and key for HTTPS; both null means plain HTTP.</summary>
    public string? TlsCertificatePath { get; init; }
    public string? TlsKeyPath { get; init; }

    /// <summary>
    /// On SIGTERM, running jobs get this long to finish before they are cancelled. Keep it below the supervisor's own
    /// limit (systemd TimeoutStopSec, Kubernetes terminationGracePeriodSeconds, Nomad kill_timeout).
    /// </summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Job lease validity (a crashed host blocks a job on the others at most this long).</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Run a job once at start when a scheduled time passed since its last success (or it never succeeded).</summary>
    public bool CatchUpMissedRuns { get; init; } = true;

    /// <summary>How often the per-repository size and snapshot count are refreshed for /metrics.</summary>
    public TimeSpan RepositoryStatsEvery { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Finished runs kept in memory for /api/runs and the status page.</summary>
    public int RunHistory { get; init; } = 200;

    /// <summary>Console logs as JSON lines (one object per event) instead of text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Host name written into leases and notifications.</summary>
    public string HostName { get; init; } = Environment.MachineName;

    /// <summary>Process id written into leases.</summary>
    public int ProcessId { get; init; } = Environment.ProcessId;

    /// <summary>The clock for schedules, timeouts, leases and the grace period (tests pass a fake one).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Source of jitter (tests pass a seeded one).</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Listen for SIGHUP to reload the config. Off in tests that run several servers in one process.</summary>
    public bool ReloadOnSighup { get; init; } = true;

    /// <summary>Timeout of one notification delivery.</summary>
    public TimeSpan NotificationTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
