using System.Text.Json;
using System.Text.Json.Serialization;
using Offsite.Core.Errors;

namespace Offsite.Core.Snapshots;

/// <summary>
/// A snapshot object's plaintext: the root tree plus who, what and when. Written last, after the
/// packs and index that hold everything it references, so a visible snapshot is always complete.
/// </summary>
public sealed class Snapshot
{
    [JsonPropertyName("time")] public DateTimeOffset Time { get; set; }
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    [JsonPropertyName("username")] public string? Username { get; set; }
    /// <summary>Names what was backed up (a directory set, a stream name, a database); <c>latest</c> filters by it.</summary>
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("paths")] public List<string> Paths { get; set; } = new();
    [JsonPropertyName("tags")] public List<string> Tags { get; set; } = new();
    [JsonPropertyName("tree")] public string Tree { get; set; } = "";
    [JsonPropertyName("program")] public string Program { get; set; } = "";
    [JsonPropertyName("stats")] public SnapshotStats Stats { get; set; } = new();

    /// <summary>Id of the stored object (SHA-256 of its bytes); not part of the JSON.</summary>
    [JsonIgnore] public string Id { get; set; } = "";

    public byte[] Serialize() => SnapshotJson.Write(this);

    public static Snapshot Parse(ReadOnlySpan<byte> json, string id)
    {
        try
        {
            var s = SnapshotJson.Read(json);
            s.Id = id;
            return s;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"snapshot {id}: not valid JSON ({e.Message})", e);
        }
    }
}

/// <summary>What a backup saw and what it added.</summary>
public sealed class SnapshotStats
{
    [JsonPropertyName("files")] public long Files { get; set; }
    [JsonPropertyName("dirs")] public long Directories { get; set; }
    [JsonPropertyName("bytes")] public long Bytes { get; set; }
    [JsonPropertyName("newBlobs")] public long NewBlobs { get; set; }
    [JsonPropertyName("addedBytes")] public long AddedBytes { get; set; }
    [JsonPropertyName("addedStoredBytes")] public long AddedStoredBytes { get; set; }
    [JsonPropertyName("durationSeconds")] public double DurationSeconds { get; set; }
    [JsonPropertyName("unreadable")] public long Unreadable { get; set; }
}
