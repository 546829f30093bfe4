namespace Offsite.Cli.Tests;

/// <summary>restore --include with restic's pattern semantics, and what a restore or dump of a missing path says.</summary>
public sealed class PatternTests
{
    /// <summary>etc/{a.conf, b.txt, selinux/semanage.conf} and 30 directories elsewhere.</summary>
    private static string MakeTree(Sandbox box)
    {
        string src = box.Dir.Sub("src");
        Directory.CreateDirectory(Path.Combine(src, "etc", "selinux"));
        File.WriteAllText(Path.Combine(src, "etc", "a.conf"), "a");
        File.WriteAllText(Path.Combine(src, "etc", "b.txt"), "b");
        File.WriteAllText(Path.Combine(src, "etc", "selinux", "semanage.conf"), "s");
        for (int i = 0; i < 30; i++)
        {
            File.WriteAllText(Path.Combine(box.Dir.Sub($"src/other/d{i}"), "f.txt"), $"{i}");
        }
        return src;
    }

    private static List<string> Entries(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Select(p => p[root.Length..]).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Star_stays_within_a_directory_and_only_the_directories_on_the_way_are_created()
    {
        using var box = new Sandbox();
        string src = MakeTree(box);
        box.Backup(src);

        string outDir = box.Path("out");
        box.Ok("restore", "latest", "--target", outDir, "--include", src + "/etc/*.conf");
        // Only a.conf and its ancestors: not selinux/semanage.conf, not one of the 31 directories elsewhere.
        var expected = new List<string>();
        string walked = "";
        foreach (string part in (src + "/etc").Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            walked += "/" + part;
            expected.Add(walked);
        }
        expected.Add(src + "/etc/a.conf");
        Assert.Equal(expected.Order(StringComparer.Ordinal), Entries(outDir));
        Assert.Equal("a", File.ReadAllText(outDir + src + "/etc/a.conf"));

        // '**' reaches any depth; a pattern without a leading '/' matches at any depth.
        box.Ok("restore", "latest", "--target", box.Path("deep"), "--include", src + "/**/*.conf");
        Assert.Equal([src + "/etc/a.conf", src + "/etc/selinux/semanage.conf"], Entries(box.Path("deep")).Where(p => File.Exists(box.Path("deep") + p)));
        box.Ok("restore", "latest", "--target", box.Path("float"), "--include", "semanage.conf");
        Assert.Equal([src + "/etc/selinux/semanage.conf"], Entries(box.Path("float")).Where(p => File.Exists(box.Path("float") + p)));
        Assert.False(Directory.Exists(box.Path("float") + src + "/other"));

        // An included directory comes whole.
        box.Ok("restore", "latest", "--target", box.Path("dir"), "--include", src + "/other/d1?");
        Assert.Equal(10, Entries(box.Path("dir")).Count(p => p.EndsWith("/f.txt", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_include_matching_nothing_and_a_dump_of_a_missing_path_are_not_found_naming_the_snapshot()
    {
        using var box = new Sandbox();
        string src = MakeTree(box);
        string id = box.Backup(src)["snapshot"]!.GetValue<string>();

        string outDir = box.Path("out");
        var r = box.Expect(10, "restore", "latest", "--target", outDir, "--include", src + "/etc/*.yaml");
        Assert.Contains(id[..8], r.Stderr, StringComparison.Ordinal);
        Assert.Contains("/etc/*.yaml", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir), "a restore that matched nothing leaves no target behind");

        var dump = box.Expect(10, "dump", "latest", src + "/etc/missing.conf");
        Assert.Contains(id[..8], dump.Stderr, StringComparison.Ordinal);
        Assert.Empty(dump.StdoutBytes);

        // A malformed pattern is a usage error.
        box.Expect(2, "restore", "latest", "--target", outDir, "--include", src + "/etc/[a");
    }
}
