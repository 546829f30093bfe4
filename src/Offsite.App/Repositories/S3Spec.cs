using Offsite.Core.Errors;
using Offsite.Storage.S3;

namespace Offsite.App.Repositories;

/// <summary>
/// S3 settings of a repository location, as flags or the config file give them. Credentials come
/// from here when set (config: access_key_id + secret_access_key_file), else from the standard AWS
/// chain (environment, profile, instance role).
/// </summary>
public sealed record S3Spec
{
    public string? Endpoint { get; init; }
    public string? Region { get; init; }
    public bool PathStyle { get; init; }
    public string? Profile { get; init; }
    public string? ObjectLock { get; init; }
    public int? LockDays { get; init; }
    public string? AccessKeyId { get; init; }
    public string? SecretAccessKey { get; init; }
    public int? IoTimeoutSeconds { get; init; }
    public int? Retries { get; init; }

    /// <summary>Storage class for data packs (STANDARD_IA, GLACIER, …); everything else stays STANDARD.</summary>
    public string? StorageClass { get; init; }

    /// <summary>False for GCS buckets with uniform bucket-level access, which refuse ACL headers.</summary>
    public bool BucketOwnerFullControl { get; init; } = true;

    /// <summary>Options for an S3 location; usage errors are exit code 2.</summary>
    public S3Options ToOptions(string location, TimeProvider time, Microsoft.Extensions.Logging.ILogger logger)
    {
        Uri? endpointUri = null;
        if (Endpoint is not null && (!Uri.TryCreate(Endpoint, UriKind.Absolute, out endpointUri) || endpointUri.Scheme is not ("http" or "https")))
        {
            throw new OffsiteException(ErrorKind.Usage, $"s3 endpoint: '{Endpoint}' is not an http(s) URL");
        }
        var defaults = new S3Options
        {
            Bucket = "unset",
            Endpoint = endpointUri,
            Region = Region ?? "us-east-1",
            ForcePathStyle = PathStyle,
            Profile = Profile,
            AccessKey = AccessKeyId,
            SecretKey = SecretAccessKey,
            ObjectLock = ParseLock(ObjectLock),
            LockDays = LockDays ?? 0,
            Time = time,
            Logger = logger,
            DataPackStorageClass = StorageClass,
            BucketOwnerFullControl = BucketOwnerFullControl,
        };
        if (IoTimeoutSeconds is int io)
        {
            defaults = defaults with { IoTimeout = TimeSpan.FromSeconds(io) };
        }
        if (Retries is int retries)
        {
            defaults = defaults with { MaxErrorRetry = retries };
        }
        if (defaults.ObjectLock != ObjectLockKind.None && defaults.LockDays < 1)
        {
            throw new OffsiteException(ErrorKind.Usage, "object lock needs a retention in days (--lock-days N, lock_days: N; N >= 1): how long each object stays undeletable");
        }
        if ((AccessKeyId is null) != (SecretAccessKey is null))
        {
            throw new OffsiteException(ErrorKind.Usage, "s3: give both an access key id and a secret access key, or neither (then the AWS credential chain is used)");
        }
        try
        {
            return S3Url.Parse(location, defaults);
        }
        catch (FormatException e)
        {
            throw new OffsiteException(ErrorKind.Usage, e.Message, e);
        }
    }

    public static ObjectLockKind ParseLock(string? mode) => mode?.ToUpperInvariant() switch
    {
        null or "" or "NONE" or "OFF" => ObjectLockKind.None,
        "COMPLIANCE" => ObjectLockKind.Compliance,
        "GOVERNANCE" => ObjectLockKind.Governance,
        var other => throw new OffsiteException(ErrorKind.Usage, $"object lock: '{other!.ToLowerInvariant()}' is not compliance, governance or none"),
    };
}
