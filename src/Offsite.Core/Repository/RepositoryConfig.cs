using System.Text.Json;
using System.Text.Json.Serialization;
using Offsite.Core.Errors;

namespace Offsite.Core.Repository;

/// <summary>
/// The only plaintext object: what a reader needs to know before it can decrypt anything.
/// It holds no secret. The recipient here is informational; clients trust the recipient derived
/// from their key, and refuse a config that disagrees (a swapped recipient would be an attack).
/// </summary>
public sealed class RepositoryConfig
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("version")] public int Version { get; set; } = CurrentVersion;
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    [JsonPropertyName("recipient")] public string Recipient { get; set; } = "";
    [JsonPropertyName("encryption")] public string Encryption { get; set; } = "age-v1";
    [JsonPropertyName("blobId")] public string BlobId { get; set; } = "hmac-sha256";
    [JsonPropertyName("compression")] public string Compression { get; set; } = "zstd";
    [JsonPropertyName("compressionLevel")] public int CompressionLevel { get; set; } = 3;
    [JsonPropertyName("chunker")] public ChunkerConfig Chunker { get; set; } = new();
    [JsonPropertyName("packSize")] public int PackSize { get; set; } = 16 * 1024 * 1024;
    /// <summary>Lifecycle-safe retention, or null when snapshots are removed by prune.</summary>
    [JsonPropertyName("retention")] public RetentionConfig? Retention { get; set; }
    /// <summary>HMAC binding the other fields to the repository's keys (<see cref="ConfigAuthentication"/>); null in configs made before it existed.</summary>
    [JsonPropertyName("mac")] public string? Mac { get; set; }

    public byte[] Serialize() => RepositoryConfigJson.Write(this);

    public static RepositoryConfig Parse(ReadOnlySpan<byte> json)
    {
        RepositoryConfig config;
        try
        {
            config = RepositoryConfigJson.Read(json);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"the repository config is not valid JSON ({e.Message}); restore it from a copy or re-create the repository", e);
        }
        if (config.Id.Length != 64 || config.Recipient.Length == 0)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, "the repository config is incomplete (missing id or recipient)");
        }
        if (config.Version != CurrentVersion)
        {
            throw new OffsiteException(ErrorKind.Usage, $"repository format version {config.Version} is not supported by this offsite (supports {CurrentVersion}); upgrade offsite");
        }
        if (config.Encryption != "age-v1" || config.BlobId != "hmac-sha256" || config.Compression != "zstd" || config.Chunker.Algorithm != ChunkerConfig.FastCdcV1)
        {
            throw new OffsiteException(ErrorKind.Usage, "the repository uses an algorithm this offsite does not know; upgrade offsite");
        }
        if (config.PackSize < 1 << 20 || config.PackSize > 256 << 20)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"the repository config has an invalid pack size {config.PackSize}");
        }
        config.Retention?.Validate();
        return config;
    }
}

/// <summary>
/// <c>lifecycle</c> retention: the bucket's lifecycle rule deletes packs, indexes and snapshots
/// <see cref="ExpireDays"/> after they were written, so nobody needs delete rights. Backups never
/// reuse data written more than <see cref="RefreshDays"/> ago (they upload it again), so a
/// snapshot stays complete for <c>ExpireDays − RefreshDays</c>; after that it counts as expired.
/// </summary>
public sealed class RetentionConfig
{
    public const string Lifecycle = "lifecycle";

    [JsonPropertyName("mode")] public string Mode { get; set; } = Lifecycle;
    [JsonPropertyName("expireDays")] public int ExpireDays { get; set; }
    [JsonPropertyName("refreshDays")] public int RefreshDays { get; set; }
    /// <summary>Length of one lifecycle day: 86400, except on test servers whose lifecycle clock runs fast.</summary>
    [JsonPropertyName("daySeconds")] public int DaySeconds { get; set; } = 86400;

    public TimeSpan Day => TimeSpan.FromSeconds(DaySeconds);
    /// <summary>Data older than this is not reused by new backups.</summary>
    public TimeSpan RefreshHorizon => Day * RefreshDays;
    /// <summary>Objects older than this may have been deleted by the bucket.</summary>
    public TimeSpan Expiry => Day * ExpireDays;
    /// <summary>How long a snapshot is guaranteed complete.</summary>
    public TimeSpan SnapshotValidity => Day * (ExpireDays - RefreshDays);

    public void Validate()
    {
        if (Mode != Lifecycle)
        {
            throw new OffsiteException(ErrorKind.Usage, $"unknown retention mode '{Mode}'; upgrade offsite");
        }
        if (RefreshDays < 1 || ExpireDays < RefreshDays + 1 || DaySeconds < 1)
        {
            throw new OffsiteException(ErrorKind.Usage,
                $"lifecycle retention needs refresh ≥ 1 day and expiry ≥ refresh + 1 day (got expire {ExpireDays}, refresh {RefreshDays}): " +
                "a snapshot references data up to the refresh horizon old, which must outlive it by at least a day");
        }
    }
}

/// <summary>Content-defined chunking parameters (the seed is secret and lives in the key).</summary>
public sealed class ChunkerConfig
{
    public const string FastCdcV1 = "fastcdc-gear-hmac-v1";

    [JsonPropertyName("algorithm")] public string Algorithm { get; set; } = FastCdcV1;
    [JsonPropertyName("min")] public int Min { get; set; } = 512 * 1024;
    [JsonPropertyName("avg")] public int Average { get; set; } = 1024 * 1024;
    [JsonPropertyName("max")] public int Max { get; set; } = 8 * 1024 * 1024;
}
