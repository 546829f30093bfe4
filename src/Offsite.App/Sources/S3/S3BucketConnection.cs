using Offsite.App.Config;
using Offsite.Core.Errors;
using Offsite.Sources.S3;
using Offsite.Storage.S3;

namespace Offsite.App.Sources.S3;

/// <summary>
/// How a bucket that holds data (a source, or a restore target) is reached: its URL in the same
/// form as an S3 repository location, and credentials of its own. Config keys win; the
/// <c>OFFSITE_SOURCE_S3_*</c> variables fill in what the config leaves out (and are all the CLI
/// has). The repository's S3 settings and <c>AWS_*</c> keys are never used for it, unless
/// neither is given: then the standard AWS chain (environment, profile, instance role) applies.
/// </summary>
public sealed record S3BucketConnection(string Url, string? Endpoint, string? Region, string? Profile, string? AccessKeyId, SecretValue? SecretAccessKey)
{
    public const string EnvPrefix = "OFFSITE_SOURCE_S3_";

    /// <summary>Names of the variables, for help texts and docs.</summary>
    public static readonly string[] Variables = ["ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SECRET_ACCESS_KEY_FILE", "SESSION_TOKEN", "REGION", "ENDPOINT", "PROFILE", "RETRIES"];

    /// <summary>True for the URL forms a bucket is given in: <c>s3:https://host/bucket/prefix</c>, <c>s3:host/bucket</c>, <c>s3://bucket/prefix</c>.</summary>
    public static bool IsBucketUrl(string text) => S3Url.IsS3(text);

    /// <summary>The bucket's settings; a bad URL or half-given credentials are usage errors naming <paramref name="what"/>.</summary>
    public S3BucketSettings Settings(Func<string, string?> environment, string what)
    {
        string? Env(string name) => environment(EnvPrefix + name) is { Length: > 0 } v ? v : null;
        string? endpoint = Endpoint ?? Env("ENDPOINT");
        Uri? endpointUri = null;
        if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out endpointUri) || endpointUri.Scheme is not ("http" or "https")))
        {
            throw new OffsiteException(ErrorKind.Usage, $"{what}: endpoint '{endpoint}' is not an http(s) URL");
        }
        string? accessKey = AccessKeyId ?? Env("ACCESS_KEY_ID");
        string? secret = SecretAccessKey?.Resolve($"{what} secret access key")
            ?? Env("SECRET_ACCESS_KEY")
            ?? (Env("SECRET_ACCESS_KEY_FILE") is { } file ? new SecretValue(null, file, null).Resolve($"{EnvPrefix}SECRET_ACCESS_KEY_FILE") : null);
        if ((accessKey is null) != (secret is null))
        {
            throw new OffsiteException(ErrorKind.Usage, $"{what}: give both an access key id and a secret access key (access_key_id + secret_access_key, or {EnvPrefix}ACCESS_KEY_ID + {EnvPrefix}SECRET_ACCESS_KEY), or neither");
        }
        int retries = 4;
        if (Env("RETRIES") is { } r && (!int.TryParse(r, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out retries) || retries > 30))
        {
            throw new OffsiteException(ErrorKind.Usage, $"{EnvPrefix}RETRIES: '{r}' is not a whole number from 0 to 30");
        }
        var defaults = new S3Options
        {
            Bucket = "unset",
            Endpoint = endpointUri,
            Region = Region ?? Env("REGION") ?? "us-east-1",
            Profile = Profile ?? Env("PROFILE"),
            AccessKey = accessKey,
            SecretKey = secret,
            SessionToken = accessKey is null ? null : Env("SESSION_TOKEN"),
            MaxErrorRetry = retries,
        };
        try
        {
            return new S3BucketSettings(S3Url.Parse(Url, defaults));
        }
        catch (FormatException e)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{what}: {e.Message}", e);
        }
    }
}
