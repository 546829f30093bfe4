using System.Diagnostics;
using System.Text.Json;

namespace Offsite.Storage.Tests;

/// <summary>
/// Lifecycle retention for real: Ceph RGW runs with <c>rgw lc debug interval = 10</c>, so one
/// lifecycle "day" lasts 10 s. The bucket expires packs, indexes and snapshots after 3 days (30 s);
/// the repository refreshes data older than 1 day (10 s), so snapshots are valid for 2 days (20 s).
/// Backups run every few seconds for several simulated days while the bucket deletes old objects;
/// each snapshot is restored near the end of its validity and must be byte-identical.
/// </summary>
public sealed class S3LifecycleTests
{
    private const int DaySeconds = 10, ExpireDays = 3, RefreshDays = 1;
    private static readonly TimeSpan Validity = TimeSpan.FromSeconds(DaySeconds * (ExpireDays - RefreshDays));

    [S3Fact]
    public async Task Snapshots_restore_throughout_their_validity_while_the_bucket_expires_old_data()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("lc");
        using var cli = new S3Cli($"s3:{S3TestEnv.Endpoint}/{bucket}/repo");
        cli.Ok("bucket", "setup", "--expire-days", $"{ExpireDays}", "--refresh-days", $"{RefreshDays}");
        cli.Ok("init", "--lifecycle-expire-days", $"{ExpireDays}", "--refresh-days", $"{RefreshDays}", "--lifecycle-day-seconds", $"{DaySeconds}");
        string src = cli.MakeSource();

        var snapshots = new List<(string Id, Stopwatch Age, string Expected, bool Verified)>();
        HashSet<string> firstPacks = [];
        var clock = Stopwatch.StartNew();
        // At least 48 s of rounds; on a slow machine (a round can take 10 s) longer, until five snapshots
        // were caught in their restore window, for at most four minutes.
        for (int round = 0; clock.Elapsed < TimeSpan.FromSeconds(48) || (snapshots.Count(x => x.Verified) < 5 && clock.Elapsed < TimeSpan.FromMinutes(4)); round++)
        {
            // A little new data each round; most of the tree stays the same and dedups while young.
            File.WriteAllText(Path.Combine(src, $"round{round}.txt"), $"round {round} at {clock.Elapsed}\n");
            File.AppendAllText(Path.Combine(src, "a", "text0.txt"), $"change {round}\n");
            // The age counts from before the backup: the snapshot's time is when the backup started, and
            // on a loaded machine the backup and the copy below take seconds of its validity.
            var age = Stopwatch.StartNew();
            var backup = JsonDocument.Parse(cli.Ok("--json", "backup", src).Json().ToJsonString()).RootElement;
            string expected = cli[$"expected{round}"];
            S3Proc.Ok(S3Proc.Run("/bin/cp", ["-a", src, expected]), "cp -a");
            snapshots.Add((backup.GetProperty("snapshot").GetString()!, age, expected, false));
            if (round == 0)
            {
                firstPacks = await ListAsync(bucket, "repo/packs/");
                Assert.NotEmpty(firstPacks);
            }

            // Restore every snapshot that is now near the end of its validity: its oldest data has
            // had the longest time to be expired by the bucket.
            for (int i = 0; i < snapshots.Count; i++)
            {
                var s = snapshots[i];
                if (!s.Verified && s.Age.Elapsed > Validity - TimeSpan.FromSeconds(10) && s.Age.Elapsed < Validity - TimeSpan.FromSeconds(3))
                {
                    string target = cli[$"restore{i}"];
                    cli.Ok("restore", s.Id, "--target", target);
                    S3Cli.AssertSameTree(s.Expected, target + src);
                    S3Proc.Run("/bin/rm", ["-rf", target]);
                    snapshots[i] = s with { Verified = true };
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        Assert.True(snapshots.Count(s => s.Verified) >= 5, $"only {snapshots.Count(s => s.Verified)} of {snapshots.Count} snapshots were restored near the end of their validity");

        // A snapshot past its validity but not yet deleted by the bucket (20–30 s old) is refused as
        // expired. Take the oldest one still well short of deletion and wait until it has expired.
        var expiredButStored = snapshots.Where(s => s.Age.Elapsed < TimeSpan.FromSeconds(DaySeconds * ExpireDays - 4)).MaxBy(s => s.Age.Elapsed);
        Assert.True(expiredButStored.Id is not null, "no snapshot young enough to probe");
        // Timed from the snapshot's own time (when the backup process started, which on a loaded machine can be
        // seconds after the test's stopwatch): it is no longer listed once that time is past the validity.
        var times = JsonDocument.Parse(cli.Ok("snapshots", "--json").Stdout).RootElement.EnumerateArray()
            .ToDictionary(e => e.GetProperty("id").GetString()!, e => DateTimeOffset.Parse(e.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var wait = times.TryGetValue(expiredButStored.Id, out var time)
            ? time + Validity + TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow
            : TimeSpan.Zero; // not listed: already past its validity
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        var probeListed = JsonDocument.Parse(cli.Ok("snapshots", "--json").Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.DoesNotContain(expiredButStored.Id, probeListed);
        var old = cli.Run("restore", expiredButStored.Id[..12], "--target", cli["old"]);
        Assert.True(old.ExitCode == 10, old.ToString());
        Assert.Contains("expired", old.Stderr, StringComparison.Ordinal);

        // The bucket really deleted data (otherwise this test proves nothing): the first backup's packs go.
        var deadline = Stopwatch.StartNew();
        while (firstPacks.Overlaps(await ListAsync(bucket, "repo/packs/")) && deadline.Elapsed < TimeSpan.FromSeconds(40))
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        Assert.False(firstPacks.Overlaps(await ListAsync(bucket, "repo/packs/")), "the lifecycle rule did not delete the first backup's packs");
        Assert.NotEmpty(await ListAsync(bucket, "repo/keys/")); // keys and config never expire
        Assert.NotEmpty(await ListAsync(bucket, "repo/config"));

        // Every command treats old snapshots as expired, and the rest of the repository is sound.
        var listed = JsonDocument.Parse(cli.Ok("snapshots", "--json").Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.DoesNotContain(snapshots[0].Id, listed);
        cli.Ok("check");

        // A backup after everything it could dedup against has aged out still works and restores.
        File.WriteAllText(Path.Combine(src, "final.txt"), "final\n");
        cli.Ok("backup", src);
        cli.Ok("restore", "latest", "--target", cli["final"]);
        S3Cli.AssertSameTree(src, cli["final"] + src);
        cli.Ok("check", "--read-data");
    }

    private static async Task<HashSet<string>> ListAsync(string bucket, string prefix)
    {
        using var client = S3TestEnv.Client();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var request = new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        Amazon.S3.Model.ListObjectsV2Response response;
        do
        {
            response = await client.ListObjectsV2Async(request);
            foreach (var o in response.S3Objects ?? [])
            {
                keys.Add(o.Key);
            }
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
        return keys;
    }
}
