using System.Text.Json.Serialization;

namespace Offsite.Core.Trees;

/// <summary>
/// What an object store keeps beside a file's bytes (tree node field <c>object</c>, docs/format.md
/// "Trees"): set by object sources such as an S3 bucket, absent for local files. Restoring into a
/// bucket sends the HTTP headers and user metadata back; a directory restore ignores them.
/// </summary>
public sealed class ObjectMetadata
{
    /// <summary>The ETag as the server gave it, quotes included (for a multipart object not an MD5).</summary>
    [JsonPropertyName("etag")] public string? ETag { get; set; }
    [JsonPropertyName("contentType")] public string? ContentType { get; set; }
    [JsonPropertyName("cacheControl")] public string? CacheControl { get; set; }
    [JsonPropertyName("contentEncoding")] public string? ContentEncoding { get; set; }
    [JsonPropertyName("contentDisposition")] public string? ContentDisposition { get; set; }
    [JsonPropertyName("contentLanguage")] public string? ContentLanguage { get; set; }
    /// <summary>The Expires header verbatim (it need not be a valid date).</summary>
    [JsonPropertyName("expires")] public string? Expires { get; set; }
    [JsonPropertyName("websiteRedirect")] public string? WebsiteRedirect { get; set; }
    [JsonPropertyName("storageClass")] public string? StorageClass { get; set; }
    /// <summary>The object's version id when noncurrent versions were backed up too.</summary>
    [JsonPropertyName("versionId")] public string? VersionId { get; set; }
    /// <summary>False for a noncurrent version; absent when only current versions were backed up.</summary>
    [JsonPropertyName("latest")] public bool? Latest { get; set; }
    /// <summary>Number of parts when the object was uploaded in parts.</summary>
    [JsonPropertyName("parts")] public int? Parts { get; set; }
    /// <summary>User metadata (<c>x-amz-meta-NAME</c>) by NAME, lower case, values as sent.</summary>
    [JsonPropertyName("userMetadata")] public SortedDictionary<string, string>? UserMetadata { get; set; }
}
