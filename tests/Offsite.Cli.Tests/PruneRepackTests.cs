using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>
/// `prune`'s repacking limits through the real binary (issue 11): --max-unused decides which partly used packs are
/// rewritten, --max-repack-size caps a run, and a lifecycle-mode repository repacks nothing and leaves expired
/// snapshots to the bucket.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class PruneRepackTests
{
    private const int FileSize = 1_200_000;

    private static Sandbox NewBox(bool init = true)
    {
        var box = new Sandbox(init);
        box.Env["OFFSITE_TEST_MIN_GRACE_SECONDS"] = "1";
        return box;
    }

    /// <summary>Four files in <paramref name="dir"/>, each its own seed: one backup puts them in one data pack.</summary>
    private static void FourFiles(string dir, ulong seed)
    {
        for (int i = 0; i < 4; i++)
        {
            Data.WriteRandomFile(Path.Combine(dir, $"f{i}.bin"), FileSize, seed + (ulong)i);
        }
    }

    /// <summary>Keeps f0 and deletes the other three files of <paramref name="dir"/>.</summary>
    private static void KeepFirstOnly(string dir)
    {
        for (int i = 1; i < 4; i++)
        {
            File.Delete(Path.Combine(dir, $"f{i}.bin"));
        }
    }

    [Fact]
    public void Max_unused_chooses_the_packs_to_repack_and_max_repack_size_caps_a_run()
    {
        using var box = NewBox();
        string d1 = box.Dir.Sub("d1"), d2 = box.Dir.Sub("d2");
        FourFiles(d1, 10);
        FourFiles(d2, 20);
        box.Backup(d1);
        box.Backup(d2);
        KeepFirstOnly(d1);
        KeepFirstOnly(d2);
        box.Backup(d1);
        box.Backup(d2);
        box.Ok("forget", "--keep-last", "1");
        // Two data packs, each a quarter used (f0) and three quarters garbage.

        JsonNode Plan(params string[] args) => box.Json(["prune", "--dry-run", .. args]);
        Assert.Equal(0, Plan("--max-unused", "unlimited")["repackedPacks"]!.GetValue<int>());
        Assert.Equal(0, Plan("--max-unused", "500%")["repackedPacks"]!.GetValue<int>()); // 300% unused is tolerated
        Assert.Equal(1, Plan("--max-unused", "200%")["repackedPacks"]!.GetValue<int>()); // one repack brings 300% to 150%
        var all = Plan("--max-unused", "0%");
        Assert.Equal(2, all["repackedPacks"]!.GetValue<int>());
        Assert.InRange(all["repackFreesBytes"]!.GetValue<long>(), 6L * FileSize * 95 / 100, 6L * FileSize * 105 / 100);
        long bothPacks = all["repackedBytes"]!.GetValue<long>();

        var capped = Plan("--max-unused", "0%", "--max-repack-size", (bothPacks - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, capped["repackedPacks"]!.GetValue<int>());
        Assert.True(capped["repackedBytes"]!.GetValue<long>() < bothPacks);
        Assert.Equal(0, Plan("--max-unused", "0%", "--max-repack-size", "1K")["repackedPacks"]!.GetValue<int>());
        Assert.Equal(2, box.Expect(2, "prune", "--dry-run", "--max-repack-size", "lots").ExitCode);

        // The capped run for real: one pack rewritten, the other left for the next run; nothing lost.
        long before = box.PackBytes();
        var real = box.Json("prune", "--max-unused", "0%", "--max-repack-size", (bothPacks - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--grace", "1s", "--wait");
        Assert.Equal(1, real["repackedPacks"]!.GetValue<int>());
        Assert.True(before - box.PackBytes() > 3L * FileSize * 9 / 10, $"one repack frees three files: {before} → {box.PackBytes()}");
        box.Ok("check", "--read-data");
        Assert.Equal(1, Plan("--max-unused", "0%")["repackedPacks"]!.GetValue<int>());
        foreach (string dir in new[] { d1, d2 })
        {
            string f0 = Path.Combine(dir, "f0.bin");
            Assert.True(box.Ok("dump", "latest", "--source", dir, f0).StdoutBytes.AsSpan().SequenceEqual(File.ReadAllBytes(f0)), $"{f0} differs");
        }
    }

    /// <summary>
    /// Lifecycle retention (expiry 3 days, refresh 1): snapshot A, taken "three days ago" (backup --time), is expired
    /// (older than E − R = 2 days) while B and C are not. forget leaves A to the bucket, and prune repacks nothing,
    /// even at --max-unused 0%, while it does free what only A used.
    /// </summary>
    [Fact]
    public void Lifecycle_mode_prune_repacks_nothing_and_forget_leaves_expired_snapshots_to_the_bucket()
    {
        using var box = NewBox(init: false);
        box.Ok("init", "--lifecycle-expire-days", "3", "--refresh-days", "1");
        string a = box.Dir.Sub("a"), b = box.Dir.Sub("b");
        FourFiles(a, 30);
        string threeDaysAgo = DateTimeOffset.UtcNow.AddDays(-3).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        string snapshotA = box.Backup(a, "--time", threeDaysAgo)["snapshot"]!.GetValue<string>();
        FourFiles(b, 40);
        box.Backup(b);
        KeepFirstOnly(b);
        box.Backup(b); // C reuses f0 from B's pack (created now: within the refresh horizon)
        Assert.DoesNotContain(snapshotA, box.Ok("snapshots").Stdout, StringComparison.Ordinal);

        var forget = box.Json("forget", "--keep-last", "1");
        Assert.Equal(1, forget["removed"]!.GetValue<int>()); // B; A is not counted by any rule
        Assert.Equal([snapshotA], forget["expired"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Contains(snapshotA, box.Objects("snapshots").Select(Path.GetFileName)); // the bucket's to delete, not forget's

        var prune = box.Json("prune", "--max-unused", "0%", "--grace", "1s");
        Assert.Equal(0, prune["repackedPacks"]!.GetValue<int>());
        Assert.Contains(prune["notes"]!.AsArray(), n => n!.GetValue<string>().StartsWith("lifecycle retention: partly used packs are not repacked", StringComparison.Ordinal));
        // A, not a root, frees its data pack; B's pack stays although C uses only a quarter of it.
        Assert.True(prune["condemnedBytes"]!.GetValue<long>() >= 4L * FileSize, prune.ToJsonString());
        Assert.True(prune["condemnedBytes"]!.GetValue<long>() < 8L * FileSize, prune.ToJsonString());
        box.Ok("check");
        string f0 = Path.Combine(b, "f0.bin");
        Assert.True(box.Ok("dump", "latest", f0).StdoutBytes.AsSpan().SequenceEqual(File.ReadAllBytes(f0)));
    }
}
