using Amazon.S3;
using Amazon.S3.Model;
using Offsite.Storage.S3;

namespace Offsite.Storage.Tests;

/// <summary>
/// The real S3 server of the test peers (Ceph RGW, `bash scripts/peers.sh start rgw`), from
/// OFFSITE_TEST_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY. When the endpoint is set the tests run and an
/// unreachable server fails them; when it is not set at all the [S3Fact] tests are skipped.
/// </summary>
internal static class S3TestEnv
{
    public const string HowToStart = "OFFSITE_TEST_S3_ENDPOINT is not set: start Ceph RGW with `bash scripts/peers.sh start rgw` and `eval \"$(bash scripts/peers.sh env)\"` (scripts/test.sh does both)";

    public static string? EndpointOrNull => Environment.GetEnvironmentVariable("OFFSITE_TEST_S3_ENDPOINT") is { Length: > 0 } e ? e : null;

    public static string Endpoint => EndpointOrNull ?? throw new InvalidOperationException(HowToStart);
    public static string AccessKey => Environment.GetEnvironmentVariable("OFFSITE_TEST_S3_ACCESS_KEY") ?? "TESTKEY";
    public static string SecretKey => Environment.GetEnvironmentVariable("OFFSITE_TEST_S3_SECRET_KEY") ?? "TESTSECRET";
    public static string? CephConf => Environment.GetEnvironmentVariable("OFFSITE_TEST_CEPH_CONF");

    public static string UniqueName(string tag) => $"offsite-{tag}-{Guid.NewGuid():N}"[..Math.Min(63, 9 + tag.Length + 16)];

    public static S3Options Options(string bucket, string prefix = "", string? accessKey = null, string? secretKey = null) => new()
    {
        Endpoint = new Uri(Endpoint),
        Bucket = bucket,
        Prefix = prefix,
        AccessKey = accessKey ?? AccessKey,
        SecretKey = secretKey ?? SecretKey,
        MaxErrorRetry = 3,
    };

    public static AmazonS3Client Client(string? accessKey = null, string? secretKey = null) =>
        S3ClientFactory.Create(Options("unused", accessKey: accessKey, secretKey: secretKey));

    /// <summary>The shared bucket of a test class; fails (not skips) with instructions when no RGW is configured.</summary>
    public static async Task<string> RequireSharedBucketAsync(Lazy<Task<string>> bucket)
    {
        if (EndpointOrNull is null)
        {
            Assert.Fail(HowToStart);
        }
        return await bucket.Value;
    }

    public static async Task<string> CreateBucketAsync(string tag, bool objectLock = false)
    {
        string bucket = UniqueName(tag);
        using var client = Client();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket, ObjectLockEnabledForBucket = objectLock });
        return bucket;
    }

    /// <summary>Environment for the independent awscli v2 client (/usr/bin/aws; the `aws` on PATH may be v1).</summary>
    public static Dictionary<string, string?> AwsEnv(string? accessKey = null, string? secretKey = null) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = accessKey ?? AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = secretKey ?? SecretKey,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_PAGER"] = "",
        ["AWS_CONFIG_FILE"] = "/dev/null",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
    };

    public static ProcResult Aws(params string[] args) => AwsAs(null, null, args);

    public static ProcResult AwsAs(string? accessKey, string? secretKey, params string[] args) =>
        S3Proc.Run("/usr/bin/aws", ["--endpoint-url", Endpoint, .. args], AwsEnv(accessKey, secretKey));

    /// <summary>
    /// An RGW user whose only rights on <paramref name="bucket"/> are the backup role's policy from `bucket setup`
    /// (prefix <c>repo/</c>), attached as a bucket policy: PutObject, plus GetObject on the plaintext config.
    /// </summary>
    public static async Task<(string AccessKey, string SecretKey)> CreatePutOnlyWriterAsync(string bucket)
    {
        string uid = $"writer-{Guid.NewGuid():N}"[..20];
        string accessKey = "W" + Guid.NewGuid().ToString("N")[..19].ToUpperInvariant();
        string secretKey = Guid.NewGuid().ToString("N");
        string cephConf = CephConf ?? throw new InvalidOperationException("OFFSITE_TEST_CEPH_CONF is not set (bash scripts/peers.sh env)");
        S3Proc.Ok(S3Proc.Run("/usr/bin/radosgw-admin", ["-c", cephConf, "user", "create", $"--uid={uid}", $"--display-name={uid}", $"--access-key={accessKey}", $"--secret-key={secretKey}"]), "radosgw-admin user create");
        var policy = Offsite.Storage.S3.BucketPolicies.Backup(new Offsite.Storage.S3.BucketSettings { Bucket = bucket, Prefix = "repo/" });
        foreach (var statement in policy["Statement"]!.AsArray())
        {
            statement!["Principal"] = new System.Text.Json.Nodes.JsonObject { ["AWS"] = new System.Text.Json.Nodes.JsonArray($"arn:aws:iam:::user/{uid}") };
        }
        using (var owner = Client())
        {
            await owner.PutBucketPolicyAsync(new Amazon.S3.Model.PutBucketPolicyRequest { BucketName = bucket, Policy = policy.ToJsonString() });
        }
        return (accessKey, secretKey);
    }
}

/// <summary>Runs a test in S3 only when the test S3 server is configured; otherwise skips with the reason.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute()
    {
        if (S3TestEnv.EndpointOrNull is null)
        {
            Skip = S3TestEnv.HowToStart;
        }
    }
}

/// <summary>Child processes for the S3 tests: the shared runner, plus "the tool must exist" and "must succeed" checks.</summary>
internal static class S3Proc
{
    public static ProcResult Run(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null)
    {
        Assert.True(File.Exists(program) || program == "dotnet", $"{program} is required by this test");
        return ProcRunner.Run(program, args, env);
    }

    public static ProcResult Ok(ProcResult r, string what)
    {
        Assert.True(r.ExitCode == 0, $"{what} failed: {r}");
        return r;
    }

}
