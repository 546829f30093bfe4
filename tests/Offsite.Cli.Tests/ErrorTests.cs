namespace Offsite.Cli.Tests;

/// <summary>Each failure a script may react to has its own exit code and a clear message.</summary>
public sealed class ErrorTests
{
    [Fact]
    public void Wrong_passphrase_exits_3_without_echoing_it()
    {
        using var box = new Sandbox();
        const string wrong = "Tr0ub4dor&3-not-it";
        var r = box.RunWith(new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = wrong }, null, "snapshots");
        Sandbox.Expect(3, r, ["snapshots", "(wrong passphrase)"]);
        Assert.Contains("wrong passphrase", r.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(wrong, r.Stderr + r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Sandbox.Password, r.Stderr + r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_file_of_another_repository_exits_3()
    {
        using var box = new Sandbox();
        using var other = new Sandbox();
        string foreign = other.ExportIdentity();
        var r = box.RunWith(new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = null }, null, "--key-file", foreign, "snapshots");
        Sandbox.Expect(3, r, ["snapshots", "--key-file (foreign)"]);
        Assert.DoesNotContain("AGE-SECRET-KEY", r.Stderr + r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_config_exits_4_naming_the_config()
    {
        using var box = new Sandbox();
        File.WriteAllText(Path.Combine(box.Repo, "config"), "{\"version\": 1, \"id\": garbage ]]");
        var r = box.Expect(4, "snapshots");
        Assert.Contains("config", r.Stderr, StringComparison.OrdinalIgnoreCase);
        r = box.Expect(4, "check");
        Assert.Contains("config", r.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Missing_repository_exits_8()
    {
        using var box = new Sandbox(init: false);
        var r = box.Expect(8, "snapshots");
        Assert.Contains(box.Repo, r.Stderr, StringComparison.Ordinal);
        box.Expect(8, "-r", box.Dir.Sub("empty"), "backup", box.Dir.Path);
        // No repository configured at all is a usage error.
        var unset = box.RunWith(new Dictionary<string, string?> { ["OFFSITE_REPOSITORY"] = null }, null, "snapshots");
        Sandbox.Expect(2, unset, ["snapshots", "(no repository)"]);
    }

    [Fact]
    public void Bad_arguments_exit_2()
    {
        using var box = new Sandbox();
        box.Expect(2, "frobnicate");
        box.Expect(2, "backup");
        box.Expect(2, "backup", "--no-such-option", box.Dir.Path);
        box.Expect(2, "restore", "latest");
        box.Expect(2, "backup", box.Path("does-not-exist"));
        box.Expect(2, "key", "export");
        box.Expect(2, "backup", "--stdin", "--stdin-from-command", "--", "true");
        var r = box.Expect(2, "init");
        Assert.NotEmpty(r.Stderr);
        Assert.Empty(box.Objects("snapshots"));
    }

    [Fact]
    public void Unknown_snapshot_or_path_exits_10()
    {
        using var box = new Sandbox();
        box.Expect(10, "restore", "latest", "--target", box.Path("out"));
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "a"), "a");
        box.Ok("backup", src);
        box.Expect(10, "restore", "0000beef", "--target", box.Path("out"));
        box.Expect(10, "dump", "latest", "/no/such/file");
        box.Expect(10, "ls", "latest", "/no/such/dir");
        box.Expect(10, "restore", "latest", "--source", "other", "--target", box.Path("out"));
    }
}
