using System.Text.Json.Serialization;

namespace Offsite.Core.Locking;

/// <summary>
/// The content of a lock object (<c>locks/&lt;name&gt;</c>), JSON. <see cref="Id"/> is random per acquisition, so
/// a holder can tell its own lock from one another process wrote after it expired.
/// </summary>
public sealed record LockInfo(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("created")] DateTimeOffset Created,
    [property: JsonPropertyName("expires")] DateTimeOffset Expires,
    [property: JsonPropertyName("id")] string Id)
{
    public bool IsExpired(DateTimeOffset now) => Expires < now;

    public string Describe() => $"held by {Host} (pid {Pid}) since {Created:u}, expires {Expires:u}";
}

[JsonSerializable(typeof(LockInfo))]
[JsonSourceGenerationOptions(WriteIndented = false)]
internal sealed partial class LockJsonContext : JsonSerializerContext;
