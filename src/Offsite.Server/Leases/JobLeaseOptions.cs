namespace Offsite.Server.Leases;

/// <summary>How job leases are taken and kept.</summary>
public sealed record JobLeaseOptions
{
    /// <summary>
    /// Validity after each renewal. A crashed holder blocks the job on other hosts at most this long. Hosts sharing a
    /// repository compare expiries with their own clocks: keep them synchronised to a small fraction of this.
    /// </summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Renewal period while a run goes on (default a third of the TTL: two renewals may fail before expiry).</summary>
    public TimeSpan RenewEvery => Ttl / 3;

    public required string Host { get; init; }
    public required int Pid { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
