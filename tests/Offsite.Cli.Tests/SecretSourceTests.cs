namespace Offsite.Cli.Tests;

/// <summary>Where the passphrase or key comes from, and managing passphrases.</summary>
public sealed class SecretSourceTests
{
    private static readonly Dictionary<string, string?> NoPassword = new() { ["OFFSITE_PASSWORD"] = null };

    [Fact]
    public void Key_command_and_key_file_open_the_repository_without_a_passphrase()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "a.txt"), "hello");
        string identity = box.ExportIdentity();

        var r = box.RunWith(NoPassword, null, "--key-command", $"cat {Proc.Quote(identity)}", "--json", "backup", src);
        Sandbox.Expect(0, r, ["backup", "--key-command"]);
        r = box.RunWith(NoPassword, null, "--key-file", identity, "dump", "latest", Path.Combine(src, "a.txt"));
        Sandbox.Expect(0, r, ["dump", "--key-file"]);
        Assert.Equal("hello", r.Stdout);
        r = box.RunWith(new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = null, ["OFFSITE_KEY_FILE"] = identity }, null, "check");
        Sandbox.Expect(0, r, ["check", "(OFFSITE_KEY_FILE)"]);

        // A failing key command is reported by option name, without its output.
        r = box.RunWith(NoPassword, null, "--key-command", "echo SECRET-OUTPUT; exit 1", "snapshots");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--key-command", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-OUTPUT", r.Stderr + r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Password_command_and_password_file_work()
    {
        using var box = new Sandbox();
        var r = box.RunWith(NoPassword, null, "--password-command", $"echo {Proc.Quote(Sandbox.Password)}", "snapshots");
        Sandbox.Expect(0, r, ["snapshots", "--password-command"]);
        string file = box.Path("pw.txt");
        File.WriteAllText(file, Sandbox.Password + "\nsecond line ignored\n");
        r = box.RunWith(NoPassword, null, "--password-file", file, "snapshots");
        Sandbox.Expect(0, r, ["snapshots", "--password-file"]);

        // Neither a passphrase nor a key, and stdin is not a terminal: a usage error, not a hang.
        r = box.RunWith(NoPassword, null, "snapshots");
        Sandbox.Expect(2, r, ["snapshots", "(no secret)"]);
    }

    [Fact]
    public void Key_add_list_remove()
    {
        using var box = new Sandbox();
        const string second = "another passphrase 42";
        string file = box.Path("new.txt");
        File.WriteAllText(file, second + "\n");
        string newId = box.Json("key", "add", "--new-password-file", file)["id"]!.GetValue<string>();

        var keys = box.Json("key", "list").AsArray();
        Assert.Equal(2, keys.Count);
        Assert.Contains(keys, k => k!["id"]!.GetValue<string>() == newId && !k["current"]!.GetValue<bool>());
        Assert.Single(keys, k => k!["current"]!.GetValue<bool>());
        string firstId = keys.Single(k => k!["id"]!.GetValue<string>() != newId)!["id"]!.GetValue<string>();

        var withSecond = new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = second };
        var r = box.RunWith(withSecond, null, "--json", "key", "list");
        Sandbox.Expect(0, r, ["key", "list", "(second passphrase)"]);
        Assert.Contains(r.Json().AsArray(), k => k!["id"]!.GetValue<string>() == newId && k["current"]!.GetValue<bool>());

        // The key in use cannot be removed; another one can (by prefix).
        var refused = box.Expect(2, "key", "remove", firstId);
        Assert.Contains("using", refused.Stderr, StringComparison.Ordinal);
        box.Ok("key", "remove", newId[..12]);
        Assert.Single(box.Json("key", "list").AsArray());
        box.Expect(10, "key", "remove", newId);

        r = box.RunWith(withSecond, null, "snapshots");
        Sandbox.Expect(3, r, ["snapshots", "(removed passphrase)"]);
    }
}
