using Amazon.S3;
using Amazon.S3.Model;

namespace Offsite.Storage.Tests;

/// <summary>Object Lock on RGW: every object written carries retention, and a locked pack cannot be deleted.</summary>
public sealed class S3ObjectLockTests
{
    [S3Fact]
    public async Task Locked_packs_cannot_be_deleted_and_the_repository_stays_restorable()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("lock", objectLock: true);
        using var cli = new S3Cli($"s3:{S3TestEnv.Endpoint}/{bucket}/repo");
        string src = cli.MakeSource(3);
        cli.Ok("--object-lock", "compliance", "--lock-days", "1", "init");
        cli.Ok("--object-lock", "compliance", "--lock-days", "1", "backup", src);

        using var client = S3TestEnv.Client();
        var versions = await client.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Prefix = "repo/" });
        var all = versions.Versions ?? [];
        Assert.Contains(all, v => v.Key == "repo/config");
        Assert.Contains(all, v => v.Key.StartsWith("repo/keys/", StringComparison.Ordinal));
        var packs = all.Where(v => v.Key.StartsWith("repo/packs/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(packs);
        foreach (var v in all)
        {
            var retention = await client.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = bucket, Key = v.Key, VersionId = v.VersionId });
            Assert.Equal(ObjectLockRetentionMode.Compliance, retention.Retention.Mode);
            Assert.InRange(retention.Retention.RetainUntilDate!.Value.ToUniversalTime(), DateTime.UtcNow.AddHours(23), DateTime.UtcNow.AddHours(25));
        }

        // The owner's own credentials cannot destroy a locked version, through the SDK or awscli.
        var pack = packs[0];
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = pack.Key, VersionId = pack.VersionId }));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        var aws = S3TestEnv.Aws("s3api", "delete-object", "--bucket", bucket, "--key", pack.Key, "--version-id=" + pack.VersionId);
        Assert.True(aws.ExitCode != 0, $"awscli deleted a locked version: {aws}");
        Assert.Contains("AccessDenied", aws.Stderr, StringComparison.Ordinal);
        var overwrite = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = bucket,
            Key = pack.Key,
            VersionId = pack.VersionId,
            Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = DateTime.UtcNow.AddMinutes(1) },
        }));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, overwrite.StatusCode);

        string target = cli["restore"];
        cli.Ok("restore", "latest", "--target", target);
        S3Cli.AssertSameTree(src, target + src);
        cli.Ok("check", "--read-data");
    }

    [S3Fact]
    public async Task Lock_on_a_bucket_without_object_lock_fails_clearly()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("nolock");
        using var cli = new S3Cli($"s3:{S3TestEnv.Endpoint}/{bucket}/repo");
        var r = cli.Run("--object-lock", "governance", "--lock-days", "2", "init");
        Assert.True(r.ExitCode == 6, r.ToString());
        Assert.Contains("is Object Lock enabled on the bucket?", r.Stderr, StringComparison.Ordinal);
    }
}
