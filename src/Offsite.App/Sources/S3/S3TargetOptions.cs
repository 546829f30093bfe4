using Offsite.App.Config;
using Offsite.App.Restore;
using Offsite.Core.Errors;
using Offsite.Sources.S3;

namespace Offsite.App.Sources.S3;

/// <summary><c>restore: {type: s3}</c>: upload a snapshot's files into a bucket (below a prefix) with their metadata.</summary>
public sealed class S3TargetOptions : RestoreTargetOptions
{
    [RequiredKey, Help("s3:https://host[:port]/bucket[/prefix], or s3://bucket[/prefix]")]
    public string Url { get; set; } = "";
    [Help("S3 endpoint for an s3://bucket URL (env OFFSITE_SOURCE_S3_ENDPOINT)")]
    public string? Endpoint { get; set; }
    public string? Region { get; set; }
    public string? Profile { get; set; }
    [Help("the bucket's access key id (env OFFSITE_SOURCE_S3_ACCESS_KEY_ID)")]
    public string? AccessKeyId { get; set; }
    public SecretValue? SecretAccessKey { get; set; }
    [Help("upload only keys that do not exist yet")]
    public bool OnlyMissing { get; set; }
    [Help("replace keys that exist (default: refuse before uploading anything)")]
    public bool Overwrite { get; set; }
    [Help("uploads in flight (default 8)")]
    public int? Concurrency { get; set; }

    public override IRestoreTarget Create() =>
        throw new InvalidOperationException("an S3 target reads the OFFSITE_SOURCE_S3_* variables: create it with the run's environment");

    /// <summary>The OFFSITE_SOURCE_S3_* variables come from the run's environment, never from the process directly.</summary>
    public override IRestoreTarget Create(SourceContext context) => Create(context.Environment);

    public IRestoreTarget Create(Func<string, string?> environment)
    {
        if (OnlyMissing && Overwrite)
        {
            throw new OffsiteException(ErrorKind.Usage, "restore: only_missing and overwrite exclude each other");
        }
        var settings = new S3BucketConnection(Url, Endpoint, Region, Profile, AccessKeyId, SecretAccessKey).Settings(environment, "s3 restore target");
        if (Concurrency is int c)
        {
            settings = c is >= 1 and <= 64 ? settings with { Concurrency = c } : throw new OffsiteException(ErrorKind.Usage, "s3 restore target: concurrency must be from 1 to 64");
        }
        return new S3Target(settings, OnlyMissing ? S3ExistingKeys.OnlyMissing : Overwrite ? S3ExistingKeys.Overwrite : S3ExistingKeys.Refuse);
    }
}
