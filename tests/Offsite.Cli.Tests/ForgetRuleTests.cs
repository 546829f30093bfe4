using System.Globalization;
using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>
/// `forget`'s rules through the real binary (issue 11): count rules in local time (TZ set for the process) across
/// a DST change and month ends, the within-rules counted back from now, --group-by, --prune and a job's
/// retention: section. The planner's full rule tables with an injected clock are in Offsite.Core.Tests.
/// </summary>
public sealed class ForgetRuleTests
{
    private static Sandbox NewBox(string timeZone)
    {
        var box = new Sandbox();
        box.Env["TZ"] = timeZone;
        box.Env["OFFSITE_TEST_MIN_GRACE_SECONDS"] = "1";
        return box;
    }

    /// <summary>The snapshot ids a dry run keeps, with the rules that keep each.</summary>
    private static Dictionary<string, string[]> Kept(Sandbox box, params string[] rules)
    {
        var plan = box.Json(["forget", "--dry-run", .. rules]);
        Assert.True(plan["dryRun"]!.GetValue<bool>());
        return plan["groups"]!.AsArray().SelectMany(g => g!["snapshots"]!.AsArray())
            .Where(s => s!["keep"]!.GetValue<bool>())
            .ToDictionary(s => s!["id"]!.GetValue<string>(), s => s!["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).ToArray());
    }

    private static void AssertKeeps(Sandbox box, Dictionary<string, string> names, string[] rules, string rule, params string[] expected)
    {
        var kept = Kept(box, rules);
        var keptNames = kept.Keys.Select(id => names[id]).Order(StringComparer.Ordinal).ToArray();
        Assert.True(expected.Order(StringComparer.Ordinal).SequenceEqual(keptNames),
            $"{string.Join(' ', rules)}: expected to keep [{string.Join(' ', expected)}], kept [{string.Join(' ', keptNames)}]");
        foreach (var (id, reasons) in kept)
        {
            Assert.True(reasons.Contains(rule, StringComparer.Ordinal) || (reasons.Contains("newest", StringComparer.Ordinal) && names[id] == "s8"),
                $"{names[id]} kept for [{string.Join(", ", reasons)}], not for {rule}");
        }
    }

    [Fact]
    public void Count_rules_use_local_days_weeks_months_and_years_across_dst_and_month_ends()
    {
        using var box = NewBox("Europe/Berlin");
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "f"), "x");
        // UTC instants; the comment is the Berlin local time the rules must use.
        var history = new (string Name, string Utc)[]
        {
            ("s1", "2024-12-31T22:30:00Z"), // 2024-12-31 23:30 CET: year 2024, ISO week 2025-W01
            ("s2", "2025-01-31T22:30:00Z"), // 2025-01-31 23:30: January
            ("s3", "2025-02-28T23:30:00Z"), // 2025-03-01 00:30: March, although February in UTC
            ("s4", "2025-03-30T00:30:00Z"), // 2025-03-30 01:30 CET, before the clocks spring forward at 01:00 UTC
            ("s5", "2025-03-30T01:30:00Z"), // 2025-03-30 03:30 CEST, same local day
            ("s6", "2025-03-30T22:30:00Z"), // 2025-03-31 00:30 CEST: the next day although 30 March in UTC
            ("s7", "2025-03-31T21:30:00Z"), // 2025-03-31 23:30 CEST
            ("s8", "2025-03-31T22:30:00Z"), // 2025-04-01 00:30 CEST: April, ISO week 14
        };
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, utc) in history)
        {
            names[box.Backup(src, "--time", utc)["snapshot"]!.GetValue<string>()] = name;
        }

        AssertKeeps(box, names, ["--keep-daily", "3"], "daily", "s5", "s7", "s8");
        AssertKeeps(box, names, ["--keep-monthly", "3"], "monthly", "s2", "s7", "s8");
        AssertKeeps(box, names, ["--keep-weekly", "2"], "weekly", "s5", "s8");
        AssertKeeps(box, names, ["--keep-yearly", "5"], "yearly", "s1", "s8");
        AssertKeeps(box, names, ["--keep-hourly", "3"], "hourly", "s6", "s7", "s8");
        AssertKeeps(box, names, ["--keep-last", "2"], "last", "s7", "s8");

        // The real run removes exactly what the dry run showed, and the text output names the rules.
        var text = box.Ok("forget", "--keep-monthly", "3", "--keep-yearly", "5", "--dry-run");
        string s1Line = Assert.Single(text.Stdout.Split('\n'), l => l.Contains(names.Single(n => n.Value == "s1").Key[..8], StringComparison.Ordinal));
        Assert.Matches(@"^\s*keep\s.*\syearly$", s1Line);
        Assert.Contains("would remove 4 snapshots", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("removed 4 snapshots", box.Ok("forget", "--keep-monthly", "3", "--keep-yearly", "5").Stdout, StringComparison.Ordinal);
        var left = box.Json("snapshots").AsArray().Select(s => names[s!["id"]!.GetValue<string>()]).Order(StringComparer.Ordinal);
        Assert.Equal(["s1", "s2", "s7", "s8"], left);
    }

    [Fact]
    public void Within_rules_count_back_from_now()
    {
        using var box = NewBox("UTC");
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "f"), "x");
        var today = DateTimeOffset.UtcNow.Date;
        var history = new (string Name, DateTimeOffset Time)[]
        {
            ("old40", new DateTimeOffset(today.AddDays(-40).AddHours(12), TimeSpan.Zero)),
            ("old10", new DateTimeOffset(today.AddDays(-10).AddHours(12), TimeSpan.Zero)),
            ("d2-11h", new DateTimeOffset(today.AddDays(-2).AddHours(11), TimeSpan.Zero)),
            ("d2-12h", new DateTimeOffset(today.AddDays(-2).AddHours(12), TimeSpan.Zero)),
            ("now", DateTimeOffset.UtcNow.AddMinutes(-5)),
        };
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, time) in history)
        {
            names[box.Backup(src, "--time", time.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))["snapshot"]!.GetValue<string>()] = name;
        }
        string[] Keeps(params string[] rules) => Kept(box, rules).Keys.Select(id => names[id]).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(["d2-11h", "d2-12h", "now"], Keeps("--keep-within", "5d"));
        Assert.Equal(["d2-12h", "now", "old10"], Keeps("--keep-within-daily", "15d"));
        Assert.Equal(["d2-11h", "d2-12h", "now", "old10", "old40"], Keeps("--keep-within", "2m"));
        Assert.Equal(["now"], Keeps("--keep-within", "1h"));
        Assert.Contains("invalid duration '5 days'", box.Expect(2, "forget", "--keep-within", "5 days").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Group_by_decides_what_the_newest_of_a_group_is()
    {
        using var box = NewBox("UTC");
        string a = box.Dir.Sub("a"), b = box.Dir.Sub("b");
        File.WriteAllText(Path.Combine(a, "f"), "a");
        File.WriteAllText(Path.Combine(b, "f"), "b");
        var names = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [box.Backup(a, "--time", "2026-01-01T10:00:00Z", "--tag", "x")["snapshot"]!.GetValue<string>()] = "a1",
            [box.Backup(b, "--time", "2026-01-01T11:00:00Z", "--tag", "x")["snapshot"]!.GetValue<string>()] = "b1",
            [box.Backup(a, "--time", "2026-01-02T10:00:00Z", "--tag", "y")["snapshot"]!.GetValue<string>()] = "a2",
            [box.Backup(b, "--time", "2026-01-02T11:00:00Z", "--tag", "y", "--host", "other")["snapshot"]!.GetValue<string>()] = "b2",
        };
        string[] Keeps(params string[] args) => Kept(box, ["--keep-last", "1", .. args]).Keys.Select(id => names[id]).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(["a2", "b1", "b2"], Keeps()); // host,source: b2 is another host's
        Assert.Equal(["a2", "b2"], Keeps("--group-by", "source"));
        Assert.Equal(["b1", "b2"], Keeps("--group-by", "tags"));
        Assert.Equal(["b2"], Keeps("--group-by", ""));
        var groups = box.Json("forget", "--dry-run", "--keep-last", "1", "--group-by", "host")["groups"]!.AsArray().Select(g => g!["group"]!.GetValue<string>());
        Assert.Equal(2, groups.Count());
        Assert.Equal(2, box.Expect(2, "forget", "--keep-last", "1", "--group-by", "colour").ExitCode);
    }

    [Fact]
    public void Forget_with_prune_deletes_the_forgotten_snapshots_data_in_the_same_run()
    {
        using var box = NewBox("UTC");
        string src = box.Dir.Sub("src");
        Data.WriteRandomFile(Path.Combine(src, "f.bin"), 3_000_000, 1);
        box.Backup(src);
        File.Delete(Path.Combine(src, "f.bin"));
        Data.WriteRandomFile(Path.Combine(src, "f.bin"), 3_000_000, 2);
        box.Backup(src);
        long before = box.PackBytes();

        var r = box.Ok("forget", "--keep-last", "1", "--prune", "--grace", "1s", "--wait");
        Assert.Contains("removed 1 snapshot", r.Stdout, StringComparison.Ordinal);
        Assert.Single(box.Objects("snapshots"));
        Assert.True(before - box.PackBytes() > 2_900_000, $"the forgotten 3 MB were not deleted: {before} → {box.PackBytes()} bytes of packs");
        box.Ok("check", "--read-data");
        Assert.True(box.Ok("dump", "latest", Path.Combine(src, "f.bin")).StdoutBytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(src, "f.bin"))));
        // A dry run with --prune changes nothing either.
        File.Delete(Path.Combine(src, "f.bin"));
        Data.WriteRandomFile(Path.Combine(src, "f.bin"), 3_000_000, 3);
        box.Backup(src);
        long bytes = box.PackBytes();
        box.Ok("forget", "--keep-last", "1", "--prune", "--dry-run");
        Assert.Equal(2, box.Objects("snapshots").Count);
        Assert.Equal(bytes, box.PackBytes());
    }

    [Fact]
    public void Forget_with_a_job_applies_its_retention_section_to_its_own_snapshots_only()
    {
        using var box = NewBox("UTC");
        string kept = box.Dir.Sub("kept"), pruned = box.Dir.Sub("pruned");
        File.WriteAllText(Path.Combine(kept, "f"), "kept");
        File.WriteAllText(Path.Combine(pruned, "f"), "pruned");
        string config = box.Path("offsite.yaml");
        File.WriteAllText(config, $$"""
            repositories:
              main:
                location: {{box.Repo}}
                password: "{{Sandbox.Password}}"
            jobs:
              rotating:
                source: {type: directory, path: {{pruned}}}
                retention: {keep_last: 1}
              archive:
                source: {type: directory, path: {{kept}}}
            """);
        for (int i = 0; i < 3; i++)
        {
            box.Ok("--config", config, "run", "rotating");
            box.Ok("--config", config, "run", "archive");
        }
        // A manual backup of the rotating job's directory, without its job tag: not the job's to forget.
        box.Backup(pruned);
        Assert.Equal(7, box.Objects("snapshots").Count);

        var dry = box.Json("--config", config, "--job", "rotating", "forget", "--dry-run");
        Assert.Equal(2, dry["removed"]!.GetValue<int>());
        var r = box.Ok("--config", config, "--job", "rotating", "forget");
        Assert.Contains("removed 2 snapshots", r.Stdout, StringComparison.Ordinal);
        var left = box.Json("snapshots").AsArray();
        Assert.Equal(5, left.Count);
        Assert.Single(left, s => Tags(s).Contains("job:rotating"));
        Assert.Equal(3, left.Count(s => Tags(s).Contains("job:archive")));

        var none = box.Expect(2, "--config", config, "--job", "archive", "forget");
        Assert.Contains("job 'archive'", none.Stderr, StringComparison.Ordinal);
        Assert.Contains("no retention: section", none.Stderr, StringComparison.Ordinal);
        // Rules on the command line replace the section (and, as without --job, apply to every group).
        Assert.Equal(3, box.Json("--config", config, "--job", "archive", "forget", "--keep-last", "1", "--dry-run")["removed"]!.GetValue<int>());
    }

    private static string[] Tags(JsonNode? snapshot) => snapshot!["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
}
