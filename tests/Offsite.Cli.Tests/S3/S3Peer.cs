using Amazon.S3;
using Amazon.S3.Model;
using Offsite.Storage.S3;

namespace Offsite.Cli.Tests.S3;

/// <summary>
/// The Ceph RGW test peer (from `eval "$(bash scripts/peers.sh env)"`): a client, buckets with unique
/// names that are emptied (every version) and removed afterwards.
/// </summary>
internal static class S3Peer
{
    public static string? EndpointOrNull => Environment.GetEnvironmentVariable("OFFSITE_TEST_S3_ENDPOINT") is { Length: > 0 } e ? e : null;
    public static string Endpoint => EndpointOrNull ?? throw new InvalidOperationException("OFFSITE_TEST_S3_ENDPOINT is not set");
    public static string AccessKey => Environment.GetEnvironmentVariable("OFFSITE_TEST_S3_ACCESS_KEY") ?? "TESTKEY";
    public static string SecretKey => Environment.GetEnvironmentVariable("OFFSITE_TEST_S3_SECRET_KEY") ?? "TESTSECRET";

    public static AmazonS3Client Client() => S3ClientFactory.Create(new S3Options
    {
        Endpoint = new Uri(Endpoint), Bucket = "unused", AccessKey = AccessKey, SecretKey = SecretKey, MaxErrorRetry = 3,
    });

    public static string UniqueBucket(string tag) => $"offsite-s3src-{tag}-{Guid.NewGuid():N}"[..40];

    /// <summary>The bucket's credentials for the offsite process (never the repository's).</summary>
    public static Dictionary<string, string?> SourceEnv() => new()
    {
        ["OFFSITE_SOURCE_S3_ACCESS_KEY_ID"] = AccessKey,
        ["OFFSITE_SOURCE_S3_SECRET_ACCESS_KEY"] = SecretKey,
        ["AWS_ACCESS_KEY_ID"] = null,
        ["AWS_SECRET_ACCESS_KEY"] = null,
    };

    public static async Task<string> CreateBucketAsync(AmazonS3Client client, string tag, bool versioned = false)
    {
        string bucket = UniqueBucket(tag);
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        if (versioned)
        {
            await client.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
            });
        }
        return bucket;
    }

    /// <summary>Removes every version, delete marker and unfinished upload, then the bucket.</summary>
    public static async Task DeleteBucketAsync(AmazonS3Client client, string bucket)
    {
        var list = new ListVersionsRequest { BucketName = bucket, Encoding = EncodingType.Url };
        while (true)
        {
            ListVersionsResponse page;
            try
            {
                page = await client.ListVersionsAsync(list);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
            {
                return;
            }
            var versions = (page.Versions ?? []).Select(v => new KeyVersion { Key = Decode(v.Key), VersionId = v.VersionId }).ToList();
            // A multi-object delete is an XML body, which cannot carry a key with control characters: those go one by one.
            var batch = versions.Where(v => !v.Key.Any(char.IsControl)).ToList();
            if (batch.Count > 0)
            {
                await client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = batch, Quiet = true });
            }
            foreach (var v in versions.Where(v => v.Key.Any(char.IsControl)))
            {
                await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = v.Key, VersionId = v.VersionId });
            }
            if (page.IsTruncated != true) break;
            list.KeyMarker = Decode(page.NextKeyMarker);
            list.VersionIdMarker = page.NextVersionIdMarker;
        }
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        foreach (var u in uploads.MultipartUploads ?? [])
        {
            await client.AbortMultipartUploadAsync(bucket, u.Key, u.UploadId);
        }
        await client.DeleteBucketAsync(bucket);
    }

    /// <summary>Keys of URL-encoded listings (XML cannot carry a key like "ctl\u0001x").</summary>
    public static string Decode(string encoded) => Uri.UnescapeDataString(encoded.Replace('+', ' '));

    /// <summary>Every current object of a bucket below a prefix (keys as stored, via URL-encoded listings).</summary>
    public static async Task<List<S3Object>> ListAsync(AmazonS3Client client, string bucket, string prefix = "")
    {
        var all = new List<S3Object>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, Encoding = EncodingType.Url };
        while (true)
        {
            var page = await client.ListObjectsV2Async(request);
            foreach (var o in page.S3Objects ?? [])
            {
                o.Key = Decode(o.Key);
                all.Add(o);
            }
            if (page.IsTruncated != true) break;
            request.ContinuationToken = page.NextContinuationToken;
        }
        return all;
    }
}

/// <summary>A test that needs the RGW peer; skipped only when OFFSITE_TEST_S3_ENDPOINT is not set at all.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class S3PeerFactAttribute : FactAttribute
{
    public S3PeerFactAttribute()
    {
        if (S3Peer.EndpointOrNull is null)
        {
            Skip = "OFFSITE_TEST_S3_ENDPOINT is not set: `eval \"$(bash scripts/peers.sh env)\"` first";
        }
    }
}
