using System.Globalization;
using Xunit.Abstractions;

namespace Offsite.Cli.Tests;

/// <summary>`forget` and `prune` through the real binary: kill -9 at random instants, dry runs, the prune lock.</summary>
[Collection(HeavyCollection.Name)]
public sealed class PruneTests
{
    private readonly ITestOutputHelper _output;

    public PruneTests(ITestOutputHelper output) => _output = output;

    private static Sandbox NewBox()
    {
        var box = new Sandbox();
        box.Env["OFFSITE_TEST_MIN_GRACE_SECONDS"] = "1"; // grace periods of seconds, for tests only
        return box;
    }

    /// <summary>Rewrites <paramref name="changed"/> of the files (the rest stay, so packs end up partly used).</summary>
    private static void Change(string src, int round, int changed)
    {
        Directory.CreateDirectory(src);
        for (int i = 0; i < 10; i++)
        {
            string path = Path.Combine(src, $"f{i}.bin");
            if (!File.Exists(path) || (i + round) % 10 < changed)
            {
                File.Delete(path);
                Data.WriteRandomFile(path, 1_500_000 + (i * 100_000), (ulong)((round * 100) + i));
            }
        }
    }

    [Fact]
    public void A_prune_killed_at_any_instant_leaves_a_valid_repository_and_the_next_one_finishes()
    {
        using var box = NewBox();
        using var data = new TempDir("prune-src");
        string src = data.Sub("src");
        int seed = Environment.GetEnvironmentVariable("OFFSITE_CRASH_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Environment.TickCount;
        var rng = new Random(seed);
        _output.WriteLine($"seed {seed} (set OFFSITE_CRASH_SEED to repeat)");
        for (int run = 0; run < 4; run++)
        {
            Change(src, run, changed: 4);
            box.Ok("backup", src);
            box.Ok("forget", "--keep-last", "2");
            double killAfter = 0.3 + (rng.NextDouble() * 3.5); // covers mark, the 2 s wait and the sweep
            using (var prune = box.Start("prune", "--grace", "2s", "--wait", "--max-unused", "0%"))
            {
                bool exited = prune.WaitForExit(TimeSpan.FromSeconds(killAfter));
                if (!exited)
                {
                    prune.Kill();
                }
                Assert.True(prune.WaitForExit(30_000), "killed prune did not go away");
                _output.WriteLine($"run {run}: {(exited ? $"finished (exit {prune.ExitCode}) before" : "killed at")} {killAfter:0.00}s; {box.PackIds().Count} packs, {box.Objects("index").Count} indexes");
            }
            var check = box.Ok("check", "--read-data");
            Assert.DoesNotContain("error", check.Stderr, StringComparison.OrdinalIgnoreCase);
            // The crashed holder's lock is still there: it must heal, so expire it as its 30-minute TTL would.
            string lockFile = Path.Combine(box.Repo, "locks", "prune");
            if (File.Exists(lockFile))
            {
                File.Delete(lockFile);
            }
        }
        box.Ok("prune", "--grace", "1s", "--wait", "--max-unused", "0%");
        var last = box.Json("prune", "--grace", "1s", "--wait", "--max-unused", "0%");
        Assert.Equal(last["blobs"]!.GetValue<long>(), last["usedBlobs"]!.GetValue<long>());
        box.Ok("check", "--read-data");
        string probe = Path.Combine(src, "f3.bin");
        Assert.True(box.Ok("dump", "latest", probe).StdoutBytes.AsSpan().SequenceEqual(File.ReadAllBytes(probe)), "dumped file differs");
    }

    [Fact]
    public void Forget_dry_run_lists_the_rule_that_keeps_each_snapshot_and_prune_dry_run_the_bytes_it_would_free()
    {
        using var box = NewBox();
        using var data = new TempDir("prune-src");
        string src = data.Sub("src");
        for (int round = 0; round < 3; round++)
        {
            Change(src, round, changed: 10);
            box.Ok("backup", src, "--tag", round == 0 ? "audit" : "nightly");
        }
        var dry = box.Ok("forget", "--keep-last", "1", "--keep-tag", "audit", "--dry-run");
        Assert.Contains("newest, last", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("tag:audit", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("would remove 1 snapshot", dry.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, box.Objects("snapshots").Count);

        box.Ok("forget", "--keep-last", "1", "--keep-tag", "audit");
        Assert.Equal(2, box.Objects("snapshots").Count);
        // init writes an empty prune-state; a dry run must leave it as it is.
        byte[] stateBefore = File.ReadAllBytes(Path.Combine(box.Repo, "prune-state"));
        var plan = box.Json("prune", "--dry-run");
        long wouldFree = plan["condemnedBytes"]!.GetValue<long>();
        Assert.True(wouldFree > 10_000_000, $"the forgotten snapshot's 15 MB of unique data would be freed, not {wouldFree}");
        long before = box.PackBytes();
        Assert.Equal(before, box.PackBytes()); // dry: nothing changed
        Assert.Equal(stateBefore, File.ReadAllBytes(Path.Combine(box.Repo, "prune-state")));

        box.Ok("prune", "--grace", "1s", "--wait");
        Assert.InRange(before - box.PackBytes(), wouldFree - 100_000, wouldFree + 100_000);
        box.Ok("check", "--read-data");
    }

    [Fact]
    public void A_second_prune_is_refused_while_the_lock_is_held_and_an_empty_policy_is_refused()
    {
        using var box = NewBox();
        Directory.CreateDirectory(Path.Combine(box.Repo, "locks"));
        File.WriteAllText(Path.Combine(box.Repo, "locks", "prune"), "{\"host\":\"other\",\"pid\":7,\"created\":\"2099-01-01T00:00:00Z\",\"expires\":\"2099-01-01T00:30:00Z\",\"id\":\"x\"}");
        var r = box.Expect(11, "prune");
        Assert.Contains("locked (prune): held by other (pid 7)", r.Stderr, StringComparison.Ordinal);
        var empty = box.Expect(2, "forget");
        Assert.Contains("no retention rule given", empty.Stderr, StringComparison.Ordinal);
        box.Expect(2, "prune", "--grace", "0s");
    }

    [Fact]
    public void A_lock_left_by_a_crashed_prune_heals_once_it_has_expired()
    {
        using var box = NewBox();
        Directory.CreateDirectory(Path.Combine(box.Repo, "locks"));
        string lockFile = Path.Combine(box.Repo, "locks", "prune");
        // What a prune killed an hour ago leaves: its lock, expired (30-minute TTL, never refreshed again).
        var created = DateTimeOffset.UtcNow.AddHours(-1);
        File.WriteAllText(lockFile, $$"""{"host":"crashed","pid":7,"created":"{{created:O}}","expires":"{{created.AddMinutes(30):O}}","id":"x"}""");
        var r = box.Json("prune", "--grace", "1s");
        Assert.Equal(0, r["deletedPacks"]!.GetValue<int>());
        Assert.False(File.Exists(lockFile), "the prune released the lock it took over");
        box.Ok("check");
    }
}
