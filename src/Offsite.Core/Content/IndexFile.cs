using System.Text.Json.Serialization;

namespace Offsite.Core.Content;

/// <summary>
/// An index object's plaintext (zstd-compressed JSON): which blobs each pack holds and where.
/// Written after its packs and before any snapshot that needs them.
/// </summary>
public sealed class IndexFile
{
    [JsonPropertyName("version")] public int Version { get; set; } = 1;
    [JsonPropertyName("packs")] public List<IndexPack> Packs { get; set; } = new();
}

public sealed class IndexPack
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>When the pack was written: lifecycle retention decides reuse by pack age.</summary>
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    /// <summary>Size of the stored (encrypted) pack object.</summary>
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("blobs")] public List<IndexBlob> Blobs { get; set; } = new();
}

public sealed class IndexBlob
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("type")] public BlobType Type { get; set; }
    [JsonPropertyName("compression")] public BlobCompression Compression { get; set; }
    [JsonPropertyName("offset")] public long Offset { get; set; }
    [JsonPropertyName("length")] public int Length { get; set; }
    [JsonPropertyName("rawLength")] public int RawLength { get; set; }
}
