using System.Text.Json.Serialization;

namespace Offsite.Server.Leases;

/// <summary>
/// Content of one lease object <c>locks/job-&lt;job&gt;/&lt;token, 20 digits&gt;</c> (plaintext JSON). The object with the
/// highest token is the job's current lease. <see cref="LastSuccess"/> is carried from token to token, so every host
/// (even a write-only one that cannot read snapshots) knows when the job last succeeded anywhere.
/// </summary>
public sealed record LeaseRecord(
    [property: JsonPropertyName("job")] string Job,
    [property: JsonPropertyName("token")] long Token,
    [property: JsonPropertyName("owner")] string Owner,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("acquired")] DateTimeOffset Acquired,
    [property: JsonPropertyName("expires")] DateTimeOffset Expires,
    [property: JsonPropertyName("released")] bool Released,
    [property: JsonPropertyName("last_success")] DateTimeOffset? LastSuccess)
{
    /// <summary>Free for the taking: released by its holder, or expired (the holder crashed or hung).</summary>
    public bool IsFree(DateTimeOffset now) => Released || Expires <= now;

    public string Describe() => $"held by {Host} (pid {Pid}) since {Acquired:u}, expires {Expires:u}";
}

[JsonSerializable(typeof(LeaseRecord))]
internal sealed partial class LeaseJsonContext : JsonSerializerContext;
