namespace Offsite.Cli.Tests;

/// <summary>`stats --mode restore-size|files-by-contents|raw-data` on one snapshot or all.</summary>
public sealed class StatsModeTests
{
    [Fact]
    public void Modes_count_what_a_restore_writes_distinct_files_and_distinct_blobs()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        byte[] big = Data.Random(2_000_000, 3);
        File.WriteAllBytes(Path.Combine(src, "a.bin"), big);
        File.WriteAllBytes(Path.Combine(src, "copy.bin"), big); // same contents, another name
        File.WriteAllText(Path.Combine(src, "small.txt"), "hello");
        string first = box.Backup(src)["snapshot"]!.GetValue<string>();
        File.WriteAllText(Path.Combine(src, "later.txt"), "added later");
        box.Backup(src);

        var one = box.Json("stats", first[..8]);
        Assert.Equal("restore-size", one["statsMode"]!.GetValue<string>());
        Assert.Equal(1, one["snapshots"]!.GetValue<int>());
        Assert.Equal(3, one["files"]!.GetValue<long>());
        Assert.Equal((2 * big.Length) + 5, one["bytes"]!.GetValue<long>());

        var all = box.Json("stats", "--mode", "restore-size");
        Assert.Equal(2, all["snapshots"]!.GetValue<int>());
        Assert.Equal(7, all["files"]!.GetValue<long>());
        Assert.Equal((4 * big.Length) + 10 + 11, all["bytes"]!.GetValue<long>());

        // One big file and two small ones have distinct contents across both snapshots.
        var distinct = box.Json("stats", "--mode", "files-by-contents");
        Assert.Equal(3, distinct["files"]!.GetValue<long>());
        Assert.Equal(big.Length + 5 + 11, distinct["bytes"]!.GetValue<long>());

        // Raw data: the big file's chunks once plus small blobs and trees; random data does not compress.
        var raw = box.Json("stats", "--mode", "raw-data");
        long rawBytes = raw["bytes"]!.GetValue<long>(), stored = raw["storedBytes"]!.GetValue<long>();
        Assert.InRange(rawBytes, big.Length + 16, big.Length + 20_000);
        Assert.InRange(stored, big.Length, big.Length + 40_000);
        Assert.True(raw["blobs"]!.GetValue<long>() >= 4);
        var rawFirst = box.Json("stats", "--mode", "raw-data", first);
        Assert.True(rawFirst["bytes"]!.GetValue<long>() < rawBytes);

        // Without a mode or snapshot, stats is still the repository summary; text output names the mode.
        Assert.Contains("stored size:", box.Ok("stats").Stdout, StringComparison.Ordinal);
        Assert.Contains("stats in files-by-contents mode for 2 snapshots", box.Ok("stats", "--mode", "files-by-contents").Stdout, StringComparison.Ordinal);
        box.Expect(2, "stats", "--mode", "blobs-per-file");
        box.Expect(10, "stats", "ffffffff");
    }
}
