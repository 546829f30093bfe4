using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Offsite.Storage.Tests;

/// <summary>
/// The `offsite` binary against Ceph RGW through <see cref="FaultProxy"/> (loopback TCP proxy injecting resets, a blackhole and
/// an 8 Mbit/s limit): a backup either completes after retries or fails with exit code 6 and a clear message, and the
/// repository stays valid (check --read-data on the real endpoint, no snapshot referencing missing data).
/// </summary>
public sealed class S3FaultTests(ITestOutputHelper output)
{
    private static string MakeRandomSource(S3Cli cli, int megabytes, int seed)
    {
        string src = cli["src"];
        Directory.CreateDirectory(Path.Combine(src, "small"));
        var rng = new Random(seed);
        for (int i = 0; i < 30; i++)
        {
            File.WriteAllText(Path.Combine(src, "small", $"f{i}.txt"), string.Concat(Enumerable.Repeat($"{seed} line {i}\n", 20 + i)));
        }
        // Incompressible data in a few files of different sizes.
        int remaining = megabytes << 20, n = 0;
        while (remaining > 0)
        {
            int size = Math.Min(remaining, (n % 3 + 1) * (5 << 20) + rng.Next(1 << 20));
            var data = new byte[size];
            rng.NextBytes(data);
            File.WriteAllBytes(Path.Combine(src, $"random{n++}.bin"), data);
            remaining -= size;
        }
        return src;
    }

    private static string Real(string bucket) => $"s3:{S3TestEnv.Endpoint}/{bucket}/repo";

    private static string Via(FaultProxy proxy, string bucket) => $"s3:{proxy.Endpoint}/{bucket}/repo";

    private static int SnapshotCount(S3Cli cli, string repository) =>
        JsonDocument.Parse(cli.Ok("--repo", repository, "snapshots", "--json").Stdout).RootElement.GetArrayLength();

    [S3Fact]
    public async Task Connection_resets_during_backup_check_and_restore_are_retried_and_the_data_is_intact()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("fault-reset");
        await using var proxy = new FaultProxy(new Uri(S3TestEnv.Endpoint), seed: 3) { ResetFraction = 0.5, ResetAfterMaxBytes = 6 << 20 };
        using var cli = new S3Cli(Via(proxy, bucket));
        string src = MakeRandomSource(cli, 50, seed: 11);
        cli.Ok("init");

        cli.Ok("backup", src);
        cli.Ok("check", "--read-data");
        string target = cli["restore"];
        cli.Ok("restore", "latest", "--target", target);
        int resets = proxy.ResetsInjected;
        output.WriteLine(proxy.ToString());
        Assert.True(resets >= 3, $"too few faults were injected to show anything: {proxy}");

        S3Cli.AssertSameTree(src, target + src);
        proxy.ResetFraction = 0;
        cli.Ok("--repo", Real(bucket), "check", "--read-data");
        Assert.Equal(1, SnapshotCount(cli, Real(bucket)));
    }

    [S3Fact]
    public async Task A_blackholed_server_fails_the_backup_within_bounded_time_with_exit_6()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("fault-bh");
        await using var proxy = new FaultProxy(new Uri(S3TestEnv.Endpoint));
        using var cli = new S3Cli(Via(proxy, bucket));
        string src = MakeRandomSource(cli, 2, seed: 12);
        cli.Ok("init");
        proxy.Blackhole = true;
        // 2 s without progress on a socket counts as a failure (default 30 s); 2 retries (default 8).
        cli.Env["OFFSITE_S3_IO_TIMEOUT"] = "2";
        cli.Env["OFFSITE_S3_RETRIES"] = "2";

        var clock = Stopwatch.StartNew();
        var r = cli.Run("backup", src);
        clock.Stop();
        output.WriteLine($"{clock.Elapsed}: {r.Stderr}");
        Assert.True(r.ExitCode == 6, r.ToString());
        Assert.Contains("I/O timeout", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("offsite: storage: S3 ", r.Stderr, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"took {clock.Elapsed}: {r}");
        Assert.Equal(1, r.Stderr.Trim().Split('\n').Count(l => l.StartsWith("offsite:", StringComparison.Ordinal)));

        proxy.Blackhole = false;
        cli.Ok("--repo", Real(bucket), "check", "--read-data");
        Assert.Equal(0, SnapshotCount(cli, Real(bucket)));
    }

    [S3Fact]
    public async Task A_blackhole_in_the_middle_of_a_backup_fails_it_and_leaves_a_valid_repository_the_next_backup_completes()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("fault-bh2");
        await using var proxy = new FaultProxy(new Uri(S3TestEnv.Endpoint));
        using var cli = new S3Cli(Via(proxy, bucket));
        string src = MakeRandomSource(cli, 40, seed: 13);
        cli.Ok("init");
        cli.Env["OFFSITE_S3_IO_TIMEOUT"] = "2";
        cli.Env["OFFSITE_S3_RETRIES"] = "2";
        proxy.BlackholeAfterUploadBytes = proxy.BytesUploaded + (20 << 20); // after about one pack

        var clock = Stopwatch.StartNew();
        var r = cli.Run("backup", src);
        clock.Stop();
        output.WriteLine($"{clock.Elapsed}: {r.Stderr} {proxy}");
        Assert.True(r.ExitCode == 6, r.ToString());
        Assert.Contains("I/O timeout", r.Stderr, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}: {r}");
        Assert.True(proxy.Blackhole, $"the blackhole never started: {proxy}");

        // On the real endpoint: no snapshot, and everything that is there (packs of the failed run) checks out.
        Assert.Equal(0, SnapshotCount(cli, Real(bucket)));
        cli.Ok("--repo", Real(bucket), "check", "--read-data");
        cli.Ok("--repo", Real(bucket), "backup", src);
        string target = cli["restore"];
        cli.Ok("--repo", Real(bucket), "restore", "latest", "--target", target);
        S3Cli.AssertSameTree(src, target + src);
        cli.Ok("--repo", Real(bucket), "check", "--read-data");
    }

    [S3Fact]
    public async Task A_backup_over_an_8_mbit_link_completes()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("fault-slow");
        await using var proxy = new FaultProxy(new Uri(S3TestEnv.Endpoint));
        using var cli = new S3Cli(Via(proxy, bucket));
        string src = MakeRandomSource(cli, 10, seed: 14);
        cli.Ok("init");
        proxy.BitsPerSecond = 8_000_000;
        long before = proxy.BytesUploaded;

        var clock = Stopwatch.StartNew();
        cli.Ok("backup", src);
        clock.Stop();
        long sent = proxy.BytesUploaded - before;
        output.WriteLine($"{sent:N0} bytes up in {clock.Elapsed}");
        Assert.True(sent > 10_000_000, $"only {sent} bytes went up: {proxy}");
        // 8 Mbit/s is 1 MB/s: the limit really applied (less the 128 KiB bursts).
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds((sent / 1_000_000.0) - 2), $"{sent} bytes in {clock.Elapsed}: the throttle did not hold");

        proxy.BitsPerSecond = null;
        string target = cli["restore"];
        cli.Ok("--repo", Real(bucket), "restore", "latest", "--target", target);
        S3Cli.AssertSameTree(src, target + src);
        cli.Ok("--repo", Real(bucket), "check", "--read-data");
    }
}
