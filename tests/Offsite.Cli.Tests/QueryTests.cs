using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>snapshots, ls, diff, stats and the `latest` filters.</summary>
public sealed class QueryTests
{
    [Fact]
    public void Latest_is_chosen_per_source_host_and_tag()
    {
        using var box = new Sandbox();
        string web = box.Dir.Sub("web"), db = box.Dir.Sub("db");
        File.WriteAllText(Path.Combine(web, "index.html"), "v1");
        File.WriteAllText(Path.Combine(db, "dump.sql"), "db v1");
        string web1 = box.Backup(web, "--host", "alpha", "--tag", "daily")["snapshot"]!.GetValue<string>();
        File.WriteAllText(Path.Combine(web, "index.html"), "v2");
        string web2 = box.Backup(web, "--host", "alpha")["snapshot"]!.GetValue<string>();
        string db1 = box.Backup(db, "--source", "database", "--host", "beta", "--tag", "daily", "--tag", "db")["snapshot"]!.GetValue<string>();

        // Plain latest is the newest snapshot of any source.
        Assert.Equal("db v1", box.Ok("dump", "latest", Path.Combine(db, "dump.sql")).Stdout);
        // --source picks among the two sources; the default source is the backed-up path.
        Assert.Equal("v2", box.Ok("dump", "latest", "--source", web, Path.Combine(web, "index.html")).Stdout);
        box.Ok("restore", "latest", "--source", web, "--target", box.Path("out-web"));
        Assert.Equal("v2", File.ReadAllText(box.Path("out-web") + Path.Combine(web, "index.html")));
        Assert.False(Directory.Exists(box.Path("out-web") + db));
        box.Ok("restore", "latest", "--source", "database", "--target", box.Path("out-db"));
        Assert.Equal("db v1", File.ReadAllText(box.Path("out-db") + Path.Combine(db, "dump.sql")));
        Assert.False(Directory.Exists(box.Path("out-db") + web));
        // --tag and --host narrow the same way.
        Assert.Equal("v1", box.Ok("dump", "latest", "--source", web, "--tag", "daily", Path.Combine(web, "index.html")).Stdout);
        box.Expect(10, "dump", "latest", "--source", web, "--host", "beta", Path.Combine(web, "index.html"));

        var all = box.Json("snapshots").AsArray();
        Assert.Equal([web1, web2, db1], all.Select(s => s!["id"]!.GetValue<string>()));
        var dbSnap = all[2]!;
        Assert.Equal("database", dbSnap["source"]!.GetValue<string>());
        Assert.Equal("beta", dbSnap["host"]!.GetValue<string>());
        Assert.Equal(["daily", "db"], dbSnap["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Order());
        Assert.Equal([db], dbSnap["paths"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(1, dbSnap["files"]!.GetValue<long>());
        Assert.Equal(5, dbSnap["bytes"]!.GetValue<long>());
        Assert.Matches("^[0-9a-f]{64}$", dbSnap["tree"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(dbSnap["time"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(-10));

        Assert.Equal([web1, db1], box.Json("snapshots", "--tag", "daily").AsArray().Select(s => s!["id"]!.GetValue<string>()));
        Assert.Equal([web1, web2], box.Json("snapshots", "--host", "alpha").AsArray().Select(s => s!["id"]!.GetValue<string>()));
        Assert.Equal([db1], box.Json("snapshots", "--source", "database").AsArray().Select(s => s!["id"]!.GetValue<string>()));
        Assert.Contains("3 snapshots", box.Ok("snapshots").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Backup_time_records_a_given_time_and_forget_applies_daily_rules_to_it()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "f"), "x");
        // Three backups on the same day and one the next: a history built with --time, as for importing old backups.
        box.Backup(src, "--time", "2026-03-01T08:00:00Z");
        box.Backup(src, "--time", "2026-03-01T20:00:00Z");
        box.Backup(src, "--time", "2026-03-02 06:30:00+02:00");
        var times = box.Json("snapshots").AsArray()
            .Select(s => DateTimeOffset.Parse(s!["time"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime())
            .ToList();
        Assert.Equal([new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 1, 20, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 2, 4, 30, 0, TimeSpan.Zero)], times);
        string[] stdinBackup = ["backup", "--stdin", "--stdin-name", "s", "--time", "2025-12-31T23:59:59Z"];
        Sandbox.Expect(0, box.RunWith(null, "data"u8.ToArray(), stdinBackup), stdinBackup);
        Assert.Contains("2025-12-31", box.Ok("snapshots", "--source", "s").Stdout, StringComparison.Ordinal);
        // One snapshot per day: the last of 1 March goes, not the first, and the stream's own group is untouched.
        box.Ok("forget", "--keep-daily", "5");
        var kept = box.Json("snapshots").AsArray()
            .Select(s => DateTimeOffset.Parse(s!["time"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime()
                .ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["2025-12-31T23:59:59Z", "2026-03-01T20:00:00Z", "2026-03-02T04:30:00Z"], kept);
        Assert.Contains("'yesterday' is not a time", box.Expect(2, "backup", src, "--time", "yesterday").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Ls_lists_paths_types_sizes_and_modes()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "sub", "f.txt"), "12345");
        File.SetUnixFileMode(Path.Combine(src, "sub", "f.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.CreateSymbolicLink(Path.Combine(src, "link"), "sub/f.txt");
        var mtime = new DateTime(2020, 2, 29, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Path.Combine(src, "sub", "f.txt"), mtime);
        box.Ok("backup", src);

        var top = box.Json("ls", "latest").AsArray();
        Assert.Equal(["/tmp"], top.Select(e => e!["path"]!.GetValue<string>())); // one level unless --recursive
        var entries = box.Json("ls", "latest", "--recursive").AsArray().ToDictionary(e => e!["path"]!.GetValue<string>(), e => e!);
        Assert.Equal("dir", entries["/tmp"]["type"]!.GetValue<string>());
        Assert.Equal("dir", entries[src]["type"]!.GetValue<string>());
        var f = entries[src + "/sub/f.txt"];
        Assert.Equal("file", f["type"]!.GetValue<string>());
        Assert.Equal(5, f["size"]!.GetValue<long>());
        Assert.Equal("0640", f["mode"]!.GetValue<string>());
        Assert.Equal("2020-02-29T12:00:00Z", f["mtime"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(mtime).ToUnixTimeMilliseconds() * 1_000_000, f["mtimeNs"]!.GetValue<long>());
        Assert.Equal("symlink", entries[src + "/link"]["type"]!.GetValue<string>());

        // A sub-path lists only what is below it; the text form shows the link target.
        var sub = box.Json("ls", "latest", src + "/sub").AsArray();
        Assert.Equal([src + "/sub/f.txt"], sub.Select(e => e!["path"]!.GetValue<string>()));
        string text = box.Ok("ls", "latest", src, "--recursive").Stdout;
        Assert.Contains("-rw-r-----", text, StringComparison.Ordinal);
        Assert.Contains(src + "/link -> sub/f.txt", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_reports_added_removed_and_modified_files()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "same"), "same");
        File.WriteAllText(Path.Combine(src, "changes"), "before");
        File.WriteAllText(Path.Combine(src, "goes"), "bye");
        Directory.CreateDirectory(Path.Combine(src, "olddir"));
        File.WriteAllText(Path.Combine(src, "olddir", "inner"), "x");
        string a = box.Backup(src)["snapshot"]!.GetValue<string>();
        File.WriteAllText(Path.Combine(src, "changes"), "after!");
        File.Delete(Path.Combine(src, "goes"));
        File.WriteAllText(Path.Combine(src, "new"), "hi");
        Directory.Delete(Path.Combine(src, "olddir"), recursive: true);
        string b = box.Backup(src)["snapshot"]!.GetValue<string>();

        string[] lines = box.Ok("diff", a[..8], b).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var changes = lines.Where(l => l.Length > 1 && l[1] == ' ').Select(l => (l[0], l[1..].Trim())).ToHashSet();
        Assert.Contains(('M', src + "/changes"), changes);
        Assert.Contains(('-', src + "/goes"), changes);
        Assert.Contains(('+', src + "/new"), changes);
        Assert.Contains(('-', src + "/olddir"), changes);
        Assert.Contains(('-', src + "/olddir/inner"), changes);
        Assert.DoesNotContain(changes, c => c.Item2 == src + "/same");
        Assert.Contains(lines, l => l.Contains("1 added", StringComparison.Ordinal) && l.Contains("3 removed", StringComparison.Ordinal));

        var json = box.Json("diff", a[..8], b);
        Assert.Equal(1, json["added"]!.GetValue<int>());
        Assert.Contains(json["changes"]!.AsArray(), c => c!["change"]!.GetValue<string>() == "modified" && c["path"]!.GetValue<string>() == src + "/changes");

        // A snapshot against itself differs in nothing.
        Assert.Contains("0 added, 0 removed, 0 modified", box.Ok("diff", a, a).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Stats_match_the_repository_contents()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        byte[] text = Data.Compressible(2_000_000, 3);
        File.WriteAllBytes(Path.Combine(src, "a.txt"), text);
        File.WriteAllBytes(Path.Combine(src, "b.txt"), text);
        var first = box.Backup(src);
        box.Backup(src);

        var stats = box.Json("stats");
        Assert.Equal(2, stats["snapshots"]!.GetValue<int>());
        Assert.Equal(box.PackIds().Count, stats["packs"]!.GetValue<int>());
        Assert.Equal(box.PackBytes(), stats["storedBytes"]!.GetValue<long>());
        Assert.Equal(4L * text.Length, stats["snapshotBytes"]!.GetValue<long>());
        long unique = stats["uniqueBytes"]!.GetValue<long>();
        Assert.InRange(unique, text.Length, text.Length + 100_000);
        // The second backup adds at most a few tree blobs (/tmp's mtime moves while tests run).
        Assert.InRange(unique, first["addedBytes"]!.GetValue<long>(), first["addedBytes"]!.GetValue<long>() + 4096);
        Assert.True(stats["storedBytes"]!.GetValue<long>() < text.Length / 2, "text compresses");
        Assert.Contains("dedup+compression", box.Ok("stats").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_outputs_are_single_documents()
    {
        using var box = new Sandbox();
        var init = new Sandbox(init: false);
        using (init)
        {
            var r = init.Json("init");
            Assert.Matches("^[0-9a-f]{64}$", r["id"]!.GetValue<string>());
            Assert.StartsWith("age1", r["recipient"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        var check = box.Json("check", "--read-data");
        Assert.True(check["ok"]!.GetValue<bool>());
        Assert.IsType<JsonArray>(check["errors"]);
        Assert.Empty(box.Json("snapshots").AsArray());
    }
}
