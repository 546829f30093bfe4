using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Offsite.Storage.S3;

namespace Offsite.Storage.Tests;

/// <summary>`offsite bucket setup`: the safety rules, the printed policies, and applying to RGW.</summary>
public sealed class S3BucketSetupTests
{
    private static readonly BucketSettings Safe = new() { Bucket = "b", Prefix = "repo/", Lock = ObjectLockKind.Compliance, LockDays = 14, BackupIntervalDays = 1 };

    [Fact]
    public void Safe_settings_have_no_problems()
    {
        Assert.Empty(Safe.Problems());
        Assert.Empty((Safe with { ExpireDays = 30, RefreshDays = 7 }).Problems());
        Assert.Empty((Safe with { ExpireDays = 8, RefreshDays = 7 }).Problems());
    }

    [Theory]
    [InlineData(3, 7, null, null, "shorter than the backup interval")]
    [InlineData(14, 1, 7, 7, "shorter than the refresh horizon")]
    [InlineData(14, 1, 30, null, "needs --refresh-days")]
    [InlineData(14, 7, 10, 7, "less than the backup interval")]
    public void Unsafe_settings_are_explained(int lockDays, int interval, int? expire, int? refresh, string expected)
    {
        var problems = (Safe with { LockDays = lockDays, BackupIntervalDays = interval, ExpireDays = expire, RefreshDays = refresh }).Problems();
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Policies_give_each_role_only_what_it_needs()
    {
        string backup = BucketPolicies.Backup(Safe).ToJsonString();
        Assert.Contains("s3:PutObject", backup, StringComparison.Ordinal);
        Assert.DoesNotContain("s3:ListBucket", backup, StringComparison.Ordinal);
        Assert.DoesNotContain("Delete", backup, StringComparison.Ordinal);
        Assert.Contains("arn:aws:s3:::b/repo/config", backup, StringComparison.Ordinal);
        Assert.Contains("arn:aws:s3:::b/repo/packs/*", backup, StringComparison.Ordinal);
        Assert.DoesNotContain("arn:aws:s3:::b/repo/keys", backup, StringComparison.Ordinal);

        string dedup = BucketPolicies.Backup(Safe with { DedupRemote = true }).ToJsonString();
        Assert.Contains("s3:ListBucket", dedup, StringComparison.Ordinal);
        Assert.Contains("s3:GetObject", dedup, StringComparison.Ordinal);
        Assert.DoesNotContain("Delete", dedup, StringComparison.Ordinal);

        string restore = BucketPolicies.Restore(Safe).ToJsonString();
        Assert.DoesNotContain("PutObject", restore, StringComparison.Ordinal);
        Assert.DoesNotContain("Delete", restore, StringComparison.Ordinal);
        Assert.Contains("\"s3:prefix\":[\"repo/*\"]", restore, StringComparison.Ordinal);

        string janitor = BucketPolicies.Janitor(Safe).ToJsonString();
        Assert.Contains("s3:DeleteObject", janitor, StringComparison.Ordinal);

        string copy = BucketPolicies.Copy(Safe).ToJsonString();
        Assert.Contains("arn:aws:s3:::b/repo/keys/*", copy, StringComparison.Ordinal);
        Assert.Contains("arn:aws:s3:::b/repo/config", copy, StringComparison.Ordinal);
        Assert.Contains("s3:ListBucket", copy, StringComparison.Ordinal);
        Assert.DoesNotContain("Delete", copy, StringComparison.Ordinal);
        Assert.DoesNotContain("arn:aws:s3:::b/repo/*\"", copy, StringComparison.Ordinal); // reads only config and index, not packs
        foreach (string never in new[] { "DeleteObjectVersion", "BypassGovernanceRetention", "PutBucket", "PutLifecycle", "PutObjectRetention", "PutObjectLockConfiguration" })
        {
            Assert.DoesNotContain(never, backup + dedup + restore + janitor + copy, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Print_shows_the_configuration_and_refuses_unsafe_settings_with_exit_code_2()
    {
        using var cli = new S3Cli("s3:http://127.0.0.1:1/some-bucket/repo"); // --print never contacts the server
        var plan = JsonDocument.Parse(cli.Ok("bucket", "setup", "--print", "--object-lock", "compliance", "--lock-days", "14", "--expire-days", "30", "--refresh-days", "7").Stdout).RootElement;
        Assert.Equal("COMPLIANCE", plan.GetProperty("objectLock").GetProperty("Rule").GetProperty("DefaultRetention").GetProperty("Mode").GetString());
        Assert.Equal(14, plan.GetProperty("objectLock").GetProperty("Rule").GetProperty("DefaultRetention").GetProperty("Days").GetInt32());
        Assert.Contains(plan.GetProperty("lifecycle").GetProperty("Rules").EnumerateArray(), r => r.TryGetProperty("Expiration", out var e) && e.TryGetProperty("Days", out var d) && d.GetInt32() == 30);
        Assert.Equal(4, plan.GetProperty("policies").EnumerateObject().Count());

        var shortLock = cli.Run("bucket", "setup", "--print", "--object-lock", "governance", "--lock-days", "3", "--backup-interval-days", "7");
        Assert.True(shortLock.ExitCode == 2, shortLock.ToString());
        Assert.Contains("shorter than the backup interval", shortLock.Stderr, StringComparison.Ordinal);
        Assert.Empty(shortLock.Stdout);

        var shortExpiry = cli.Run("bucket", "setup", "--print", "--expire-days", "7", "--refresh-days", "7");
        Assert.True(shortExpiry.ExitCode == 2, shortExpiry.ToString());
        Assert.Contains("refresh horizon", shortExpiry.Stderr, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task Setup_configures_RGW_and_new_objects_get_the_default_retention()
    {
        string bucket = S3TestEnv.UniqueName("setup");
        using var cli = new S3Cli($"s3:{S3TestEnv.Endpoint}/{bucket}/repo");
        cli.Ok("bucket", "setup", "--object-lock", "governance", "--lock-days", "2", "--expire-days", "30", "--refresh-days", "7", "--noncurrent-days", "10");

        var versioning = JsonDocument.Parse(S3Proc.Ok(S3TestEnv.Aws("s3api", "get-bucket-versioning", "--bucket", bucket), "get-bucket-versioning").Stdout).RootElement;
        Assert.Equal("Enabled", versioning.GetProperty("Status").GetString());
        var lockConfig = JsonDocument.Parse(S3Proc.Ok(S3TestEnv.Aws("s3api", "get-object-lock-configuration", "--bucket", bucket), "get-object-lock-configuration").Stdout).RootElement;
        var retention = lockConfig.GetProperty("ObjectLockConfiguration").GetProperty("Rule").GetProperty("DefaultRetention");
        Assert.Equal("GOVERNANCE", retention.GetProperty("Mode").GetString());
        Assert.Equal(2, retention.GetProperty("Days").GetInt32());
        var lifecycle = S3Proc.Ok(S3TestEnv.Aws("s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket), "get-bucket-lifecycle-configuration").Stdout;
        Assert.Contains("offsite-expire", lifecycle, StringComparison.Ordinal);
        Assert.Contains("offsite-abort-incomplete-uploads", lifecycle, StringComparison.Ordinal);
        Assert.Contains("\"NoncurrentDays\": 10", lifecycle, StringComparison.Ordinal);

        // Running it again is harmless; and a client that sets no lock still gets the bucket's default retention.
        cli.Ok("bucket", "setup", "--object-lock", "governance", "--lock-days", "2");
        cli.Ok("init");
        using var client = S3TestEnv.Client();
        var config = await client.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = bucket, Key = "repo/config" });
        Assert.Equal(ObjectLockRetentionMode.Governance, config.Retention.Mode);
    }
}
