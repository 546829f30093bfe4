namespace Offsite.Storage.S3;

/// <summary>Object Lock retention applied to every object written (the bucket must have Object Lock enabled).</summary>
public enum ObjectLockKind
{
    None,
    Governance,
    Compliance,
}

/// <summary>
/// Where and how to reach an S3-compatible bucket. Credentials are optional: when absent the
/// standard AWS chain is used (environment, <see cref="Profile"/> or AWS_PROFILE, instance role).
/// <see cref="ToString"/> never includes secrets.
/// </summary>
public sealed record S3Options
{
    /// <summary>Custom endpoint (MinIO, Ceph, R2…); null means AWS S3 in <see cref="Region"/>.</summary>
    public Uri? Endpoint { get; init; }
    public string Region { get; init; } = "us-east-1";
    public required string Bucket { get; init; }
    /// <summary>Key prefix inside the bucket, "" or ending in '/'.</summary>
    public string Prefix { get; init; } = "";
    /// <summary>Path-style addressing (http://host/bucket/key); always used for custom endpoints.</summary>
    public bool ForcePathStyle { get; init; }
    public string? Profile { get; init; }
    public string? AccessKey { get; init; }
    public string? SecretKey { get; init; }
    public string? SessionToken { get; init; }

    /// <summary>
    /// Send <c>x-amz-acl: bucket-owner-full-control</c> on every upload. On servers that still use ACLs (Ceph RGW,
    /// MinIO gateways, AWS buckets without "bucket owner enforced") an object belongs to whoever uploaded it, so
    /// without this the bucket owner could not read what a write-only backup host wrote. Harmless elsewhere.
    /// </summary>
    public bool BucketOwnerFullControl { get; init; } = true;

    public ObjectLockKind ObjectLock { get; init; } = ObjectLockKind.None;

    /// <summary>
    /// Storage class of data packs (STANDARD_IA, GLACIER, DEEP_ARCHIVE…), or null for the bucket's default.
    /// When set, data packs are also tagged <see cref="DataPackTag"/> so a lifecycle rule can tell them
    /// from tree packs (same key prefix). Everything else stays in STANDARD.
    /// </summary>
    public string? DataPackStorageClass { get; init; }

    /// <summary>The object tag carried by data packs (key=value), matched by `bucket setup --transition-days`.</summary>
    public const string DataPackTag = "offsite-pack=data";

    public int LockDays { get; init; }

    /// <summary>The clock that dates Object Lock retention.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where warnings go (a multipart upload that could not be aborted).</summary>
    public Microsoft.Extensions.Logging.ILogger Logger { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Objects larger than this are uploaded in parts.</summary>
    public long MultipartThreshold { get; init; } = 64L * 1024 * 1024;
    /// <summary>Part size for multipart uploads (S3 minimum 5 MiB).</summary>
    public int PartSize { get; init; } = 16 * 1024 * 1024;
    /// <summary>Parts uploaded at once by one multipart upload.</summary>
    public int PartConcurrency { get; init; } = 4;
    /// <summary>Retries of the SDK (standard mode: exponential backoff with jitter) on throttling, 5xx and connection errors.</summary>
    public int MaxErrorRetry { get; init; } = 8;
    /// <summary>Limit for one whole request (a 16 MiB part at 1 Mbit/s takes about 2 minutes).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Limit for establishing a TCP connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// A socket read or write that makes no progress for this long fails (and is retried): it bounds the time lost to a
    /// blackholed connection or a hung server without cutting off a slow transfer that is still moving.
    /// </summary>
    public TimeSpan IoTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The prefix normalized: no leading '/', and a trailing '/' unless empty.</summary>
    public string NormalizedPrefix
    {
        get
        {
            string p = Prefix.Trim('/');
            return p.Length == 0 ? "" : p + "/";
        }
    }

    /// <summary>Human-readable location, without credentials.</summary>
    public string Location
    {
        get
        {
            string path = Bucket + (NormalizedPrefix.Length == 0 ? "" : "/" + NormalizedPrefix.TrimEnd('/'));
            return Endpoint is null ? $"s3://{path} ({Region})" : $"s3:{Endpoint.GetLeftPart(UriPartial.Authority)}/{path}";
        }
    }

    public override string ToString() => Location;
}
