namespace Offsite.Cli.Tests;

/// <summary>`snapshots --latest N` and `--group-by`, restic-style.</summary>
public sealed class SnapshotsGroupingTests
{
    [Fact]
    public void Latest_keeps_the_newest_n_per_group_and_group_by_lists_groups()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "f"), "x");
        var ids = new List<string>();
        foreach (var (host, tag) in new[] { ("alpha", "a"), ("alpha", "b"), ("alpha", "a"), ("beta", "a"), ("beta", "a") })
        {
            ids.Add(box.Backup(src, "--host", host, "--tag", tag)["snapshot"]!.GetValue<string>());
        }
        List<string> Ids(params string[] args) => box.Json(["snapshots", .. args]).AsArray().Select(s => s!["id"]!.GetValue<string>()).ToList();

        // Per host and source by default: the newest of alpha and of beta, oldest first.
        Assert.Equal([ids[2], ids[4]], Ids("--latest", "1"));
        Assert.Equal([ids[1], ids[2], ids[3], ids[4]], Ids("--latest", "2"));
        Assert.Equal([ids[4]], Ids("--latest", "1", "--host", "beta"));
        box.Expect(2, "snapshots", "--latest", "0");

        // --group-by: one entry per group with the shared fields, like restic's group_key.
        var groups = box.Json("snapshots", "--group-by", "host,tags").AsArray();
        Assert.Equal(3, groups.Count);
        var alphaA = groups.Single(g => g!["group"]!["host"]!.GetValue<string>() == "alpha" && g["group"]!["tags"]![0]!.GetValue<string>() == "a")!;
        Assert.Null(alphaA["group"]!["source"]);
        Assert.Equal([ids[0], ids[2]], alphaA["snapshots"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
        var latestPerGroup = box.Json("snapshots", "--group-by", "host,tags", "--latest", "1").AsArray();
        Assert.Equal(new[] { ids[1], ids[2], ids[4] }.Order(StringComparer.Ordinal), latestPerGroup.SelectMany(g => g!["snapshots"]!.AsArray()).Select(s => s!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));

        string text = box.Ok("snapshots", "--group-by", "host").Stdout;
        Assert.Contains("snapshots for host=alpha:", text, StringComparison.Ordinal);
        Assert.Contains("snapshots for host=beta:", text, StringComparison.Ordinal);
        Assert.Contains("3 snapshots", text, StringComparison.Ordinal);
        Assert.Contains("2 snapshots", text, StringComparison.Ordinal);
        Assert.Contains("unknown field 'hots'", box.Expect(2, "snapshots", "--group-by", "hots").Stderr, StringComparison.Ordinal);
    }
}
