using System.Security.Cryptography;

namespace Offsite.Cli.Tests;

/// <summary>backup --exclude and friends, --files-from, --dry-run and the parent snapshot line, through the real binary.</summary>
public sealed class BackupFilterTests
{
    private const string CacheTag = "Signature: 8a477f597d28d172789f06886806bc55\n# a cache\n";

    /// <summary>The paths (below <paramref name="src"/>) of the files the latest snapshot holds, restored to find out.</summary>
    private static List<string> RestoredFiles(Sandbox box, string src)
    {
        string target = box.Path("r-" + Guid.NewGuid().ToString("N")[..8]);
        box.Ok("restore", "latest", "--target", target);
        string root = target + src;
        return Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Where(p => !Directory.Exists(p)).Select(p => p[(root.Length + 1)..]).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public void Exclude_patterns_files_case_insensitive_and_cache_directories_are_left_out()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "keep.txt"), "k");
        File.WriteAllText(Path.Combine(src, "a.log"), "l");
        File.WriteAllText(Path.Combine(box.Dir.Sub("src/sub"), "b.log"), "l");
        File.WriteAllText(Path.Combine(src, "sub", "c.txt"), "c");
        File.WriteAllText(Path.Combine(src, "Upper.TMP"), "u");
        File.WriteAllText(Path.Combine(box.Dir.Sub("src/build"), "out.o"), "o");
        File.WriteAllText(Path.Combine(box.Dir.Sub("src/cache"), "CACHEDIR.TAG"), CacheTag);
        File.WriteAllText(Path.Combine(box.Dir.Sub("src/cache/deep"), "blob"), "x");
        File.WriteAllText(Path.Combine(box.Dir.Sub("src/fake"), "CACHEDIR.TAG"), "not a signature");
        File.WriteAllText(Path.Combine(src, "fake", "kept"), "x");
        string excludes = box.Path("excludes.txt");
        File.WriteAllText(excludes, $"# build output\n\n{src}/build\n");
        string iexcludes = box.Path("iexcludes.txt");
        File.WriteAllText(iexcludes, "*.tmp\n");

        box.Backup(src, "--exclude", "*.log", "--exclude-file", excludes, "--iexclude-file", iexcludes, "--exclude-caches");
        Assert.Equal(["cache/CACHEDIR.TAG", "fake/CACHEDIR.TAG", "fake/kept", "keep.txt", "sub/c.txt"], RestoredFiles(box, src));

        // --iexclude on the command line; without it the upper-case file is there.
        box.Backup(src, "--iexclude", "*.tmp");
        Assert.DoesNotContain("Upper.TMP", RestoredFiles(box, src));
        box.Backup(src, "--exclude", "*.tmp");
        Assert.Contains("Upper.TMP", RestoredFiles(box, src));

        // A malformed pattern, a missing pattern file, and an exclude with a non-directory source are usage errors.
        box.Expect(2, "backup", src, "--exclude", "[abc");
        box.Expect(2, "backup", src, "--exclude-file", box.Path("missing.txt"));
        box.Expect(2, "backup", "--stdin", "--exclude", "*.log");
    }

    [Fact]
    public void A_config_job_excludes_what_its_directory_source_lists()
    {
        using var box = new Sandbox(init: false);
        box.Env["OFFSITE_REPOSITORY"] = null;
        box.Env["OFFSITE_PASSWORD"] = null;
        box.Env["JOB_PW"] = Sandbox.Password;
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "keep.txt"), "k");
        File.WriteAllText(Path.Combine(src, "drop.log"), "l");
        File.WriteAllText(Path.Combine(src, "DROP.TMP"), "t");
        File.WriteAllText(Path.Combine(box.Dir.Sub("src/cache"), "CACHEDIR.TAG"), CacheTag);
        File.WriteAllText(Path.Combine(src, "cache", "blob"), "x");
        string config = box.Path("offsite.yaml");
        File.WriteAllText(config, $$"""
            repositories:
              main:
                location: {{box.Repo}}
                password: ${JOB_PW}
            jobs:
              files:
                source: {type: directory, path: {{src}}, exclude: ["*.log"], iexclude: ["*.tmp"], exclude_caches: true, one_file_system: true}
                restore: {type: directory, path: {{box.Path("restored")}}}
            """);
        box.Ok("--config", config, "--job", "files", "init");
        box.Ok("--config", config, "run", "files");
        box.Ok("--config", config, "--job", "files", "restore", "latest");
        string root = box.Path("restored") + src;
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(p => p[(root.Length + 1)..]).Order(StringComparer.Ordinal);
        Assert.Equal(["cache/CACHEDIR.TAG", "keep.txt"], files);
    }

    [Fact]
    public void An_excluded_directory_is_not_descended_into()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "keep.txt"), "k");
        // Deeper than PATH_MAX: a walk that descends into it warns about what it cannot read.
        string name = new('d', 200);
        // Built bottom-up with short paths only (cd and mkdir -p stop at PATH_MAX).
        Proc.Shell($"cd {Proc.Quote(box.Dir.Path)} && mkdir t && for i in $(seq 30); do mkdir n && mv t n/{name} && mv n t; done && mv t src/deep");

        var descended = box.Backup(src);
        Assert.True(descended["warnings"]!.GetValue<int>() > 0, descended.ToJsonString());
        var excluded = box.Backup(src, "--exclude", src + "/deep");
        Assert.Equal(0, excluded["warnings"]!.GetValue<int>());
        Assert.Equal(["keep.txt"], RestoredFiles(box, src));
    }

    [Fact]
    public void Files_from_reads_paths_with_comments_verbatim_and_raw()
    {
        using var box = new Sandbox();
        string a = box.Dir.Sub("a"), b = box.Dir.Sub("b"), c = box.Dir.Sub("c"), d = box.Dir.Sub("d");
        foreach (string dir in new[] { a, b, c, d }) File.WriteAllText(Path.Combine(dir, "f"), dir);
        string list = box.Path("list.txt");
        File.WriteAllText(list, $"# what to back up\n{a}\n\n   {b}  \n");
        string verbatim = box.Path("verbatim.txt");
        File.WriteAllText(verbatim, $"{c}\n");
        string raw = box.Path("raw.bin");
        File.WriteAllText(raw, $"{d}\0");

        var snapshot = box.Backup("--files-from", list, "--files-from-verbatim", verbatim, "--files-from-raw", raw);
        var listed = box.Json("snapshots").AsArray().Single()!["paths"]!.AsArray().Select(p => p!.GetValue<string>());
        Assert.Equal(new[] { a, b, c, d }.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(4, snapshot["files"]!.GetValue<long>());
        box.Expect(2, "backup", "--files-from", box.Path("missing.txt"));
    }

    [Fact]
    public void One_file_system_keeps_a_mount_point_empty()
    {
        // /dev/pts is its own file system in a container and on a host.
        Assert.NotEqual(Proc.Ok(Proc.Stat, "-c", "%d", "/dev").Stdout, Proc.Ok(Proc.Stat, "-c", "%d", "/dev/pts").Stdout);
        using var box = new Sandbox();
        box.Backup("/dev", "--exclude", "/dev/shm", "--tag", "all");
        box.Ok("restore", "latest", "--tag", "all", "--target", box.Path("all"), "--include", "/dev/pts");
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(box.Path("all") + "/dev/pts"));

        box.Backup("/dev", "--exclude", "/dev/shm", "--one-file-system", "--tag", "one");
        box.Ok("restore", "latest", "--tag", "one", "--target", box.Path("one"), "--include", "/dev/pts");
        Assert.True(Directory.Exists(box.Path("one") + "/dev/pts"), "the mount point itself is kept");
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.Path("one") + "/dev/pts"));
    }

    /// <summary>Every object of the repository with its size and hash: equal listings mean nothing was written.</summary>
    private static string Listing(Sandbox box) => string.Join("\n",
        Directory.EnumerateFiles(box.Repo, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{f} {new FileInfo(f).Length} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}"));

    [Fact]
    public void Dry_run_reports_what_would_be_added_and_writes_nothing()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        Data.WriteRandomFile(Path.Combine(src, "big"), 3 << 20, 1);
        File.WriteAllText(Path.Combine(src, "small"), "small");

        string before = Listing(box);
        var dry = box.Backup(src, "--dry-run");
        Assert.Equal(before, Listing(box));
        Assert.True(dry["dryRun"]!.GetValue<bool>());
        Assert.Equal(2, dry["newFiles"]!.GetValue<long>());
        Assert.True(dry["addedBytes"]!.GetValue<long>() >= 3 << 20, dry.ToJsonString());
        Assert.Empty(box.Json("snapshots").AsArray());

        var real = box.Backup(src);
        Assert.Equal(dry["addedBytes"]!.GetValue<long>(), real["addedBytes"]!.GetValue<long>());

        // One file changed, one new, one unchanged: only the new bytes would be added.
        File.WriteAllText(Path.Combine(src, "small"), "changed");
        File.WriteAllText(Path.Combine(src, "new"), "new file");
        before = Listing(box);
        var text = box.Ok("backup", src, "--dry-run");
        Assert.Equal(before, Listing(box));
        Assert.Contains("3 files (1 new, 1 changed, 1 unchanged)", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("nothing was written", text.Stdout, StringComparison.Ordinal);
        var json = box.Backup(src, "--dry-run");
        Assert.Equal(before, Listing(box));
        Assert.Equal(1, json["changedFiles"]!.GetValue<long>());
        Assert.Single(box.Json("snapshots").AsArray());
        // What the dry run said would be added is what the backup adds.
        Assert.Equal(json["addedBytes"]!.GetValue<long>(), box.Backup(src)["addedBytes"]!.GetValue<long>());
    }

    [Fact]
    public void A_backup_names_its_parent_snapshot_or_says_there_is_none()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "f"), "x");

        var first = box.Ok("backup", src);
        Assert.Contains("no parent snapshot: every file is read", first.Stdout, StringComparison.Ordinal);
        string id = box.Json("snapshots").AsArray().Single()!["id"]!.GetValue<string>();

        var second = box.Ok("backup", src);
        Assert.Contains($"using parent snapshot {id[..8]}", second.Stdout, StringComparison.Ordinal);
        Assert.Matches("1 files? unchanged", second.Stdout);

        string secondId = box.Json("snapshots").AsArray()[1]!["id"]!.GetValue<string>();
        Assert.Equal(secondId, box.Backup(src)["parent"]!.GetValue<string>());

        // Another host has no parent: every file is read again, and --json says so.
        var other = box.Ok("backup", src, "--host", "elsewhere");
        Assert.Contains("no parent snapshot: every file is read", other.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 files unchanged", other.Stdout, StringComparison.Ordinal);
        var otherJson = box.Backup(src, "--host", "another");
        Assert.True(otherJson.AsObject().ContainsKey("parent"));
        Assert.Null(otherJson["parent"]);
        Assert.DoesNotContain("parent", box.Ok("backup", src, "--quiet").Stdout, StringComparison.Ordinal);
    }
}
