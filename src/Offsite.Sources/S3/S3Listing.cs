using Amazon.S3;
using Amazon.S3.Model;

namespace Offsite.Sources.S3;

/// <summary>One object (or one version of it) found by a listing.</summary>
public sealed record ListedObject(string Key, long Size, string ETag, DateTime LastModified, string? StorageClass, string? VersionId, bool? Latest);

/// <summary>One level of a bucket below a prefix: its objects and its "directories" (common prefixes, each ending in '/').</summary>
public sealed record ListedLevel(List<ListedObject> Objects, List<string> Prefixes);

/// <summary>
/// Lists one level of a bucket with '/' as the delimiter, page after page: the current objects
/// (ListObjectsV2), or every version but delete markers (ListObjectVersions).
/// </summary>
internal static class S3Listing
{
    public static async Task<ListedLevel> ListLevelAsync(IAmazonS3 client, string bucket, string prefix, S3Versions versions, CancellationToken ct)
    {
        var level = new ListedLevel([], []);
        if (versions == S3Versions.All)
        {
            await ListVersionsAsync(client, bucket, prefix, level, ct).ConfigureAwait(false);
        }
        else
        {
            await ListCurrentAsync(client, bucket, prefix, level, ct).ConfigureAwait(false);
        }
        return level;
    }

    /// <summary>
    /// Keys are asked for URL-encoded (XML cannot carry every character a key may hold) and the SDK
    /// hands them over as sent; decoded like botocore does ('+' is a space: AWS writes one so, RGW
    /// writes %20 and encodes '+' itself).
    /// </summary>
    public static string Decode(string encoded) => Uri.UnescapeDataString(encoded.Replace('+', ' '));

    private static async Task ListCurrentAsync(IAmazonS3 client, string bucket, string prefix, ListedLevel level, CancellationToken ct)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, Delimiter = "/", Encoding = EncodingType.Url };
        while (true)
        {
            var page = await client.ListObjectsV2Async(request, ct).ConfigureAwait(false);
            foreach (var o in page.S3Objects ?? [])
            {
                level.Objects.Add(new ListedObject(Decode(o.Key), o.Size ?? 0, o.ETag, o.LastModified ?? DateTime.UnixEpoch, o.StorageClass?.Value, null, null));
            }
            level.Prefixes.AddRange((page.CommonPrefixes ?? []).Select(Decode));
            if (page.IsTruncated != true) break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    private static async Task ListVersionsAsync(IAmazonS3 client, string bucket, string prefix, ListedLevel level, CancellationToken ct)
    {
        var request = new ListVersionsRequest { BucketName = bucket, Prefix = prefix, Delimiter = "/", Encoding = EncodingType.Url };
        while (true)
        {
            var page = await client.ListVersionsAsync(request, ct).ConfigureAwait(false);
            foreach (var v in page.Versions ?? [])
            {
                if (v.IsDeleteMarker == true) continue;
                level.Objects.Add(new ListedObject(Decode(v.Key), v.Size ?? 0, v.ETag, v.LastModified ?? DateTime.UnixEpoch, v.StorageClass?.Value, v.VersionId, v.IsLatest == true));
            }
            level.Prefixes.AddRange((page.CommonPrefixes ?? []).Select(Decode));
            if (page.IsTruncated != true) break;
            request.KeyMarker = Decode(page.NextKeyMarker);
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }
}
