using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>`offsite find`: glob semantics, snapshot selection and the modification-time bounds.</summary>
public sealed class FindTests
{
    private static List<(string Snapshot, string Path)> Found(JsonNode json) =>
        json.AsArray().Select(m => (m!["snapshot"]!.GetValue<string>(), m["path"]!.GetValue<string>())).ToList();

    [Fact]
    public void Star_stays_within_a_name_double_star_spans_directories_and_relative_patterns_match_the_end()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        Directory.CreateDirectory(Path.Combine(src, "etc", "selinux", "deep"));
        File.WriteAllText(Path.Combine(src, "etc", "a.conf"), "a");
        File.WriteAllText(Path.Combine(src, "etc", "selinux", "semanage.conf"), "s");
        File.WriteAllText(Path.Combine(src, "etc", "selinux", "deep", "x.conf"), "x");
        File.WriteAllText(Path.Combine(src, "etc", "notes.txt"), "n");
        string snap = box.Backup(src)["snapshot"]!.GetValue<string>();

        string Etc(string rest) => src + "/etc" + rest;
        // Anchored: '*' does not cross '/'.
        Assert.Equal([Etc("/a.conf")], Found(box.Json("find", src + "/etc/*.conf")).Select(m => m.Path));
        // '**' reaches any depth, none included.
        Assert.Equal([Etc("/a.conf"), Etc("/selinux/deep/x.conf"), Etc("/selinux/semanage.conf")],
            Found(box.Json("find", src + "/etc/**/*.conf")).Select(m => m.Path).Order(StringComparer.Ordinal));
        // Relative: the end of the path, at any depth.
        Assert.Equal(3, Found(box.Json("find", "*.conf")).Count);
        Assert.Equal([Etc("/selinux/semanage.conf")], Found(box.Json("find", "selinux/*.conf")).Select(m => m.Path));
        // Several patterns: either matches; directories are found too.
        Assert.Equal([Etc("/notes.txt"), Etc("/selinux")], Found(box.Json("find", "notes.???", "selinux")).Select(m => m.Path).Order(StringComparer.Ordinal));
        Assert.All(Found(box.Json("find", "*.conf")), m => Assert.Equal(snap, m.Snapshot));

        // Each match in text: snapshot id, size, time, path; no match is exit 0 with a count.
        var text = box.Ok("find", "semanage.conf").Stdout;
        Assert.Contains($"{snap[..8]}             1  ", text, StringComparison.Ordinal);
        Assert.Contains(Etc("/selinux/semanage.conf"), text, StringComparison.Ordinal);
        Assert.Contains("0 matches in 1 snapshot", box.Ok("find", "*.nothing").Stdout, StringComparison.Ordinal);

        var json = box.Json("find", "a.conf").AsArray().Single()!;
        Assert.Equal("file", json["type"]!.GetValue<string>());
        Assert.Equal(1, json["size"]!.GetValue<long>());
        Assert.Matches("^0[0-7]{3}$", json["mode"]!.GetValue<string>());
        // The JSON has nanoseconds; .NET truncates the file's to 100 ns ticks and Parse rounds them: one tick apart at most.
        var printed = DateTimeOffset.Parse(json["mtime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).UtcDateTime;
        Assert.InRange((printed - File.GetLastWriteTimeUtc(Etc("/a.conf"))).Ticks, 0, 1);
    }

    [Fact]
    public void Snapshots_are_chosen_by_id_and_filters_and_files_by_modification_time()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "old.log"), "o");
        File.WriteAllText(Path.Combine(src, "new.log"), "n");
        Proc.Shell($"touch -d '2020-01-01 12:00:00Z' {Proc.Quote(Path.Combine(src, "old.log"))} && touch -d '2024-06-01 12:00:00Z' {Proc.Quote(Path.Combine(src, "new.log"))}");
        string a = box.Backup(src, "--host", "alpha")["snapshot"]!.GetValue<string>();
        string b = box.Backup(src, "--host", "beta", "--tag", "t")["snapshot"]!.GetValue<string>();

        Assert.Equal([a, a, b, b], Found(box.Json("find", "*.log")).Select(m => m.Snapshot));
        Assert.Equal([b, b], Found(box.Json("find", "*.log", "--host", "beta")).Select(m => m.Snapshot));
        Assert.Equal([b, b], Found(box.Json("find", "*.log", "--tag", "t")).Select(m => m.Snapshot));
        Assert.Equal([a, a], Found(box.Json("find", "*.log", "--snapshot", a[..10])).Select(m => m.Snapshot));
        Assert.Equal([a, a, b, b], Found(box.Json("find", "*.log", "--snapshot", b, "--snapshot", a)).Select(m => m.Snapshot));
        box.Expect(10, "find", "*.log", "--snapshot", "ffffffff");

        Assert.Equal([src + "/old.log", src + "/old.log"], Found(box.Json("find", "*.log", "--newest", "2021-01-01")).Select(m => m.Path));
        Assert.Equal([src + "/new.log", src + "/new.log"], Found(box.Json("find", "*.log", "--oldest", "2024-01-01T00:00:00Z")).Select(m => m.Path));
        Assert.Empty(Found(box.Json("find", "*.log", "--oldest", "2021-01-01", "--newest", "2022-01-01")));
        Assert.Contains("not a time", box.Expect(2, "find", "*.log", "--newest", "soon").Stderr, StringComparison.Ordinal);
    }
}
