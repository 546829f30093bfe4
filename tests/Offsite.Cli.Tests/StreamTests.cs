namespace Offsite.Cli.Tests;

/// <summary>Backing up standard input and command output.</summary>
public sealed class StreamTests
{
    [Fact]
    public void Stdin_backup_from_a_pipe_dumps_back_identical()
    {
        using var box = new Sandbox();
        byte[] dump = [.. Data.Compressible(3_000_000, 7), .. Data.Random(2_500_000, 7)];
        var r = box.RunWith(null, dump, "--json", "backup", "--stdin", "--stdin-name", "db.sql");
        Sandbox.Expect(0, r, ["backup", "--stdin"]);
        Assert.Equal(dump.Length, r.Json()["bytes"]!.GetValue<long>());
        Assert.Equal("db.sql", r.Json()["source"]!.GetValue<string>());

        var out1 = box.Ok("dump", "latest", "/db.sql");
        Assert.Equal(dump, out1.StdoutBytes);
        // The path works without the leading slash too, and by snapshot id.
        string id = r.Json()["snapshot"]!.GetValue<string>();
        Assert.Equal(dump, box.Ok("dump", id[..10], "db.sql").StdoutBytes);
    }

    [Fact]
    public void Stdin_from_command_backs_up_its_output()
    {
        using var box = new Sandbox();
        var r = box.Backup("--stdin-from-command", "--stdin-name", "seq.txt", "--", "/usr/bin/seq", "1", "200000");
        Assert.Equal("seq.txt", r["source"]!.GetValue<string>());
        string expected = string.Join("", Enumerable.Range(1, 200000).Select(i => i + "\n"));
        Assert.Equal(expected, box.Ok("dump", "latest", "/seq.txt").Stdout);
    }

    [Fact]
    public void Failing_source_command_exits_9_and_writes_no_snapshot()
    {
        using var box = new Sandbox();
        var r = box.Expect(9, "backup", "--stdin-from-command", "--stdin-name", "x", "--", "sh", "-c", "echo partial; exit 3");
        Assert.Contains("3", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(box.Objects("snapshots"));
        Assert.Contains("0 snapshots", box.Ok("snapshots").Stdout, StringComparison.Ordinal);

        // A command that cannot start is a source failure too.
        box.Expect(9, "backup", "--stdin-from-command", "--", "/nonexistent/program");
        Assert.Empty(box.Objects("snapshots"));
        // And the repository is still consistent.
        box.Ok("check");
    }
}
