using Offsite.App.Config;
using Offsite.Core.Errors;
using Offsite.Sources.S3;
using Offsite.Storage.S3;

namespace Offsite.App.Sources.S3;

/// <summary><c>type: s3</c>: every object of a bucket (below a prefix) as one tree, with its metadata (docs/sources/s3.md).</summary>
public sealed class S3SourceOptions : SourceOptions
{
    [RequiredKey, Help("s3:https://host[:port]/bucket[/prefix], or s3://bucket[/prefix] on AWS (or with endpoint)")]
    public string Url { get; set; } = "";
    [Help("S3 endpoint for an s3://bucket URL (env OFFSITE_SOURCE_S3_ENDPOINT)")]
    public string? Endpoint { get; set; }
    [Help("region (default us-east-1; env OFFSITE_SOURCE_S3_REGION)")]
    public string? Region { get; set; }
    [Help("AWS profile for the bucket's credentials (env OFFSITE_SOURCE_S3_PROFILE)")]
    public string? Profile { get; set; }
    [Help("the bucket's access key id, not the repository's (env OFFSITE_SOURCE_S3_ACCESS_KEY_ID)")]
    public string? AccessKeyId { get; set; }
    [Help("its secret (env OFFSITE_SOURCE_S3_SECRET_ACCESS_KEY or _FILE)")]
    public SecretValue? SecretAccessKey { get; set; }
    [Help("current (default): current versions; all: noncurrent versions too")]
    public string? Versions { get; set; }
    [Help("requests in flight (default 8)")]
    public int? Concurrency { get; set; }
    [Help("the snapshot's source name (default: the URL)")]
    public string? Name { get; set; }

    public override SourcePlan Plan(SourceContext context)
    {
        var settings = new S3BucketConnection(Url, Endpoint, Region, Profile, AccessKeyId, SecretAccessKey).Settings(context.Environment, "s3 source") with
        {
            Versions = Versions switch
            {
                null or "current" => S3Versions.Current,
                "all" => S3Versions.All,
                var other => throw new OffsiteException(ErrorKind.Usage, $"s3 source: versions: '{other}' is not current or all"),
            },
        };
        if (Concurrency is int c)
        {
            settings = c is >= 1 and <= 64 ? settings with { Concurrency = c } : throw new OffsiteException(ErrorKind.Usage, "s3 source: concurrency must be from 1 to 64");
        }
        var source = new S3BucketSource(S3ClientFactory.Create(settings.Options), settings);
        return SourcePlan.ForTree(source, [settings.Location], Name ?? settings.Location);
    }
}
