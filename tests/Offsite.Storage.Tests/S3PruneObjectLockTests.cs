using System.Text.Json.Nodes;
using Amazon.S3.Model;

namespace Offsite.Storage.Tests;

/// <summary>forget, prune and lock refresh on RGW with Object Lock (compliance): nothing locked is deleted, and the dates are reported.</summary>
public sealed class S3PruneObjectLockTests
{
    private static void Write(string dir, int seed)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        for (int i = 0; i < 4; i++)
        {
            var bytes = new byte[400_000];
            rng.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(dir, $"f{i}"), bytes);
        }
    }

    [S3Fact]
    public async Task Prune_refuses_locked_objects_says_when_they_expire_and_lock_refresh_extends_only_what_is_needed()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("prunelock", objectLock: true);
        using var cli = new S3Cli($"s3:{S3TestEnv.Endpoint}/{bucket}/repo");
        cli.Env["OFFSITE_TEST_MIN_GRACE_SECONDS"] = "1";
        cli.Env["OFFSITE_OBJECT_LOCK"] = "compliance";
        cli.Env["OFFSITE_LOCK_DAYS"] = "1";
        string src = cli["src"];
        Write(src, 1);
        cli.Ok("init");
        cli.Ok("backup", src);
        Write(src, 2);
        cli.Ok("backup", src);

        // forget: the old snapshot is locked for a day, so it is kept and the date is given.
        var forget = cli.Run("forget", "--keep-last", "1");
        Assert.Equal(0, forget.ExitCode);
        Assert.Contains("is retained until", forget.Stderr, StringComparison.Ordinal);
        Assert.Contains("removed 0 snapshots", forget.Stdout, StringComparison.Ordinal);

        // Hide the old snapshot as a plain DELETE would (a delete marker; the locked version stays): its packs become unused.
        using var client = S3TestEnv.Client();
        var snapshots = (await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/snapshots/" })).S3Objects!;
        var oldest = snapshots.OrderBy(o => o.LastModified).First();
        await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = oldest.Key });
        var packsBefore = (await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/packs/" })).S3Objects!.Select(o => o.Key).ToHashSet();

        var prune = cli.Run("--json", "prune", "--grace", "1s", "--wait");
        Assert.True(prune.ExitCode == 0, prune.ToString());
        var report = JsonNode.Parse(prune.Stdout)!;
        var locked = report["locked"]!.AsArray();
        Assert.NotEmpty(locked);
        foreach (var l in locked)
        {
            var until = DateTimeOffset.Parse(l!["until"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(until, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        }
        Assert.Equal(0, report["deletedPacks"]!.GetValue<int>());
        Assert.True(report["pendingPacks"]!.GetValue<int>() > 0);
        var packsAfter = (await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/packs/" })).S3Objects!.Select(o => o.Key).ToHashSet();
        Assert.Equal(packsBefore, packsAfter); // not even a delete marker
        var text = cli.Run("prune", "--grace", "1s");
        Assert.Contains("is retained until", text.Stderr, StringComparison.Ordinal);

        // lock refresh: everything the kept snapshot needs now lasts 3 days; the condemned packs keep their 1 day.
        cli.Ok("lock", "refresh", "--days", "3", "--refresh-before-days", "2");
        var condemned = locked.Select(l => "repo/" + l!["key"]!.GetValue<string>()).Where(k => k.StartsWith("repo/packs/", StringComparison.Ordinal)).ToHashSet();
        Assert.NotEmpty(condemned);
        foreach (string key in packsAfter)
        {
            var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key });
            DateTime until = head.ObjectLockRetainUntilDate!.Value.ToUniversalTime();
            if (condemned.Contains(key))
            {
                Assert.InRange(until, DateTime.UtcNow.AddHours(23), DateTime.UtcNow.AddHours(25));
            }
            else
            {
                Assert.InRange(until, DateTime.UtcNow.AddHours(71), DateTime.UtcNow.AddHours(73));
            }
        }
        cli.Ok("check", "--read-data");
    }
}
