using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>
/// <c>restore --overwrite always|if-changed|if-newer|never</c> into a directory that already holds the
/// files, and the refusal to restore over the snapshot's own source directory.
/// </summary>
public sealed class RestoreOverwriteTests : IDisposable
{
    private readonly Sandbox _box = new();
    private readonly string _src;
    private readonly string _target;

    public RestoreOverwriteTests()
    {
        _src = _box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(_src, "a.txt"), "alpha");
        File.WriteAllText(Path.Combine(_src, "b.txt"), "bravo");
        File.CreateSymbolicLink(Path.Combine(_src, "link"), "a.txt");
        _box.Ok("backup", _src);
        _target = _box.Path("target");
        var first = Restore();
        Assert.Equal(0, first["kept"]!.GetValue<long>());
        Assert.Equal(0, first["replaced"]!.GetValue<long>());
        Assert.Equal("if-changed", first["overwrite"]!.GetValue<string>());
    }

    /// <summary>Where the restore put a source file (snapshots keep absolute paths).</summary>
    private string Restored(string name) => _target + Path.Combine(_src, name);

    private JsonNode Restore(params string[] extra) => _box.Json(["restore", "latest", "--target", _target, .. extra]);

    private static string Inode(string path) => Proc.Ok(Proc.Stat, "-c", "%i", path).Stdout.Trim();

    [Fact]
    public void If_changed_is_the_default_and_compares_content_not_size_and_mtime()
    {
        string a = Restored("a.txt"), b = Restored("b.txt");
        // Same size and the same mtime as the snapshot's, different content: only a content check sees it.
        File.WriteAllText(a, "ALPHA");
        Proc.Ok("/usr/bin/touch", "-r", Path.Combine(_src, "a.txt"), a);
        string bInode = Inode(b);
        var r = Restore();
        Assert.Equal(1, r["replaced"]!.GetValue<long>());
        Assert.Equal(2, r["kept"]!.GetValue<long>()); // b.txt and the symlink already match
        Assert.Equal("alpha", File.ReadAllText(a));
        Assert.Equal(bInode, Inode(b)); // left alone, not rewritten
        var text = _box.Ok("restore", "latest", "--target", _target);
        Assert.Contains("overwrite if-changed: 3 existing entries left as they were, 0 replaced", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Never_keeps_every_existing_file()
    {
        string a = Restored("a.txt");
        File.WriteAllText(a, "mine, not the snapshot's");
        var r = Restore("--overwrite", "never");
        Assert.Equal(3, r["kept"]!.GetValue<long>());
        Assert.Equal(0, r["replaced"]!.GetValue<long>());
        Assert.Equal("mine, not the snapshot's", File.ReadAllText(a));
        File.Delete(a);
        Restore("--overwrite", "never");
        Assert.Equal("alpha", File.ReadAllText(a)); // a missing file is still restored
    }

    [Fact]
    public void If_newer_replaces_only_files_older_than_the_snapshots()
    {
        string a = Restored("a.txt");
        File.WriteAllText(a, "edited later");
        Proc.Ok("/usr/bin/touch", "-d", "2100-01-01", a);
        var r = Restore("--overwrite", "if-newer");
        Assert.Equal("edited later", File.ReadAllText(a));
        Assert.Equal(0, r["replaced"]!.GetValue<long>());
        Proc.Ok("/usr/bin/touch", "-d", "2000-01-01", a);
        r = Restore("--overwrite", "if-newer");
        Assert.Equal("alpha", File.ReadAllText(a));
        Assert.Equal(1, r["replaced"]!.GetValue<long>());
    }

    [Fact]
    public void Always_and_the_bare_flag_replace_everything()
    {
        string b = Restored("b.txt");
        // A second name for the file restored before: once b.txt is replaced by a new file, the old one
        // has this name only. (Comparing inode numbers is not enough: a freed inode is often reused at once.)
        string before = _box.Path("b-before");
        Proc.Ok("/bin/ln", b, before);
        var r = Restore("--overwrite", "always");
        Assert.Equal(3, r["replaced"]!.GetValue<long>());
        Assert.Equal("1", Proc.Ok(Proc.Stat, "-c", "%h", before).Stdout.Trim());
        r = Restore("--overwrite"); // no value: always, as the old boolean flag did
        Assert.Equal(3, r["replaced"]!.GetValue<long>());
        Assert.Equal("always", r["overwrite"]!.GetValue<string>());
        var bad = _box.Expect(2, "restore", "latest", "--target", _target, "--overwrite", "sometimes");
        Assert.Contains("always, if-changed, if-newer, never", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Restoring_over_the_source_is_refused_unless_allowed()
    {
        File.WriteAllText(Path.Combine(_src, "a.txt"), "changed since the backup");
        var r = _box.Expect(2, "restore", "latest", "--target", "/");
        Assert.Contains("--allow-source-target", r.Stderr, StringComparison.Ordinal);
        r = _box.Expect(2, "restore", "latest", "--target", _src);
        Assert.Contains($"the directory snapshot", r.Stderr, StringComparison.Ordinal);
        _box.Expect(2, "restore", "latest", "--target", Path.Combine(_src, "inside"));
        Assert.Equal("changed since the backup", File.ReadAllText(Path.Combine(_src, "a.txt")));
        Assert.False(Directory.Exists(Path.Combine(_src, "tmp")), "a refused restore wrote nothing");
        _box.Ok("restore", "latest", "--target", _src, "--allow-source-target");
        Assert.Equal("alpha", File.ReadAllText(_src + Path.Combine(_src, "a.txt")));
    }

    public void Dispose() => _box.Dispose();
}
