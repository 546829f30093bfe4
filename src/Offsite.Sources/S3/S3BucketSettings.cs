using Offsite.Storage.S3;

namespace Offsite.Sources.S3;

/// <summary>Which versions of a bucket's objects a backup takes.</summary>
public enum S3Versions
{
    /// <summary>The current version of each key (what a plain GET returns).</summary>
    Current,
    /// <summary>Current and noncurrent versions (delete markers are not objects and are left out).</summary>
    All,
}

/// <summary>
/// A bucket (and prefix) whose objects are backed up or restored into: where it is and how to
/// reach it, with credentials of its own (never the repository's). <see cref="S3Options.ToString"/>
/// shows the location without secrets.
/// </summary>
public sealed record S3BucketSettings(S3Options Options)
{
    public S3Versions Versions { get; init; } = S3Versions.Current;

    /// <summary>Requests in flight: HEADs while listing, ranges of one large object, uploads of a restore.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Objects larger than this are read in ranges of this size, several at once.</summary>
    public int PartSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>Ranges of one object read at once (memory: this many parts).</summary>
    public int RangeConcurrency { get; init; } = 4;

    /// <summary>"s3:ENDPOINT/bucket/prefix" (or "s3://bucket/prefix" on AWS), for messages and snapshot paths.</summary>
    public string Location => Options.Endpoint is null
        ? "s3://" + Options.Bucket + (Options.NormalizedPrefix.Length == 0 ? "" : "/" + Options.NormalizedPrefix.TrimEnd('/'))
        : Options.Location;

    public string Endpoint => Options.Endpoint?.GetLeftPart(UriPartial.Authority) ?? $"AWS S3 ({Options.Region})";
}
