using System.CommandLine;
using Offsite.Core.Errors;
using Offsite.App.Repositories;

namespace Offsite.Cli;

/// <summary>
/// S3 options. Credentials are never options: they come from the standard AWS chain
/// (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, AWS_PROFILE or --s3-profile, instance role).
/// </summary>
public sealed record S3Settings(string? Endpoint, string? Region, bool PathStyle, string? Profile, string? ObjectLock, int? LockDays)
{
    public static readonly Option<string?> EndpointOption = new("--s3-endpoint") { Description = "S3 endpoint for s3://bucket/prefix locations, e.g. https://minio.example.org:9000 (env OFFSITE_S3_ENDPOINT)", Recursive = true };
    public static readonly Option<string?> RegionOption = new("--s3-region") { Description = "S3 region (default us-east-1; env AWS_REGION)", Recursive = true };
    public static readonly Option<bool> PathStyleOption = new("--s3-path-style") { Description = "path-style addressing (always on when the endpoint is in the URL)", Recursive = true };
    public static readonly Option<string?> ProfileOption = new("--s3-profile") { Description = "AWS profile for credentials (env AWS_PROFILE)", Recursive = true };
    public static readonly Option<string?> ObjectLockOption = new("--object-lock") { Description = "set S3 Object Lock retention on every object written: compliance or governance (env OFFSITE_OBJECT_LOCK)", Recursive = true };
    public static readonly Option<int?> LockDaysOption = new("--lock-days") { Description = "Object Lock retention in days (env OFFSITE_LOCK_DAYS)", Recursive = true };

    public static readonly Option<string?> StorageClassOption = new("--storage-class") { Description = "S3 storage class of data packs, e.g. STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE; metadata and tree packs stay STANDARD (env OFFSITE_S3_STORAGE_CLASS)", Recursive = true };

    public static IEnumerable<Option> Options => [EndpointOption, RegionOption, PathStyleOption, ProfileOption, ObjectLockOption, LockDaysOption, StorageClassOption];

    /// <summary>The data-pack storage class from --storage-class or OFFSITE_S3_STORAGE_CLASS (checked by <see cref="ToSpec"/>).</summary>
    public string? StorageClass { get; init; }

    public static S3Settings From(ParseResult r) => new(
        r.GetValue(EndpointOption), r.GetValue(RegionOption), r.GetValue(PathStyleOption),
        r.GetValue(ProfileOption), r.GetValue(ObjectLockOption), r.GetValue(LockDaysOption))
    {
        StorageClass = r.GetValue(StorageClassOption),
    };

    /// <summary>The flags with their environment fallbacks, over what the config file says.</summary>
    public S3Spec ToSpec(S3Spec fromConfig) => fromConfig with
    {
        Endpoint = Endpoint ?? Env("OFFSITE_S3_ENDPOINT") ?? fromConfig.Endpoint,
        Region = Region ?? Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION") ?? fromConfig.Region,
        PathStyle = PathStyle || fromConfig.PathStyle,
        Profile = Profile ?? fromConfig.Profile,
        ObjectLock = ObjectLock ?? Env("OFFSITE_OBJECT_LOCK") ?? fromConfig.ObjectLock,
        LockDays = LockDays ?? (Env("OFFSITE_LOCK_DAYS") is { } d && int.TryParse(d, out int days) ? days : fromConfig.LockDays),
        // Network tuning for unusual links (and the fault tests): seconds without progress on a socket, retries per request.
        IoTimeoutSeconds = EnvInt("OFFSITE_S3_IO_TIMEOUT", 1, 3600) ?? fromConfig.IoTimeoutSeconds,
        Retries = EnvInt("OFFSITE_S3_RETRIES", 0, 30) ?? fromConfig.Retries,
        StorageClass = ParseStorageClass() ?? fromConfig.StorageClass,
        // GCS buckets with uniform bucket-level access refuse any ACL header on uploads (docs/s3.md, "Google Cloud Storage").
        BucketOwnerFullControl = Env("OFFSITE_S3_OBJECT_ACL") switch
        {
            null or "bucket-owner-full-control" => fromConfig.BucketOwnerFullControl,
            "none" => false,
            var other => throw new OffsiteException(ErrorKind.Usage, $"OFFSITE_S3_OBJECT_ACL: '{other}' is not bucket-owner-full-control or none"),
        },
    };

    /// <summary>AWS names (STANDARD_IA, GLACIER…) or a server's own (an RGW placement storage class): upper-case letters, digits, '_'.</summary>
    private string? ParseStorageClass()
    {
        string? value = StorageClass ?? Env("OFFSITE_S3_STORAGE_CLASS");
        if (value is null)
        {
            return null;
        }
        return value.Length is > 0 and <= 64 && value.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_')
            ? value
            : throw new OffsiteException(ErrorKind.Usage, $"--storage-class: '{value}' is not a storage class name (STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE…)");
    }

    private static int? EnvInt(string name, int min, int max)
    {
        if (Env(name) is not { } v)
        {
            return null;
        }
        return int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw new OffsiteException(ErrorKind.Usage, $"{name}: '{v}' is not a whole number from {min} to {max}");
    }

    private static string? Env(string name) => CliEnvironment.Get(name);
}
