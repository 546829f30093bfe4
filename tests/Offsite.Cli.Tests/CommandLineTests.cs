namespace Offsite.Cli.Tests;

/// <summary>What a first-time user types: help and version as words, typos, unknown options, bare command groups.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly Sandbox _box = new(init: false);

    public void Dispose() => _box.Dispose();

    [Fact]
    public void Help_and_version_work_as_words()
    {
        Assert.Contains("Usage:", _box.Ok("help").Stdout, StringComparison.Ordinal);
        Assert.Contains("offsite backup", _box.Ok("help", "backup").Stdout, StringComparison.Ordinal);
        Assert.Matches(@"^\d+\.\d+\.\d+", _box.Ok("version").Stdout);
    }

    [Fact]
    public void A_mistyped_command_gets_the_nearest_one()
    {
        var r = _box.Expect(2, "snapshot");
        Assert.Contains("unknown command 'snapshot' (did you mean 'snapshots'?)", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_restore_command_without_a_container_target_is_a_usage_error()
    {
        var r = _box.Expect(2, "restore", "latest", "--target", _box.Path("out"), "--", "psql", "-U", "postgres");
        Assert.Contains("'psql': a command after -- goes with --to docker-exec:CONTAINER", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_box.Path("out")));
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error_not_a_missing_path()
    {
        string src = _box.Dir.Sub("src");
        var r = _box.Expect(2, "backup", src, "--tagg", "x");
        Assert.Contains("unknown option --tagg for 'offsite backup' (did you mean --tag?)", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("no such file", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Global_options_work_around_a_command_built_alone()
    {
        // A run builds only the command it names (CommandTree): the global options must still be known
        // before and after it, with values that happen to be command names.
        using var box = new Sandbox();
        string src = box.Dir.Sub("ls");
        File.WriteAllText(Path.Combine(src, "snapshots"), "x");
        string id = box.Backup(src)["snapshot"]!.GetValue<string>();
        box.Env["OFFSITE_REPOSITORY"] = null;
        Assert.Equal(id, box.Ok("-r", box.Repo, "--json", "snapshots").Json()[0]!["id"]!.GetValue<string>());
        Assert.Equal(id, box.Ok("snapshots", "--json", "--repo", box.Repo, "--no-cache").Json()[0]!["id"]!.GetValue<string>());
        Assert.Contains("/snapshots", box.Ok("--s3-region", "ls", "-r", box.Repo, "ls", "latest", src).Stdout, StringComparison.Ordinal);
        Assert.Single(box.Ok("--json", "-r", box.Repo, "key", "list").Json().AsArray());
        var typo = box.Expect(2, "-r", box.Repo, "ls", "latest", "--recursiv");
        Assert.Contains("unknown option --recursiv for 'offsite ls' (did you mean --recursive?)", typo.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_group_alone_shows_its_help()
    {
        var r = _box.Expect(2, "key");
        Assert.Contains("Usage:", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("export", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_passphrase_can_come_from_a_pipe()
    {
        var init = new Sandbox();
        try
        {
            init.Env["OFFSITE_PASSWORD"] = null;
            var r = init.RunWith(null, System.Text.Encoding.UTF8.GetBytes(Sandbox.Password + "\n"), "snapshots");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("0 snapshots", r.Stdout, StringComparison.Ordinal);
            var wrong = init.RunWith(null, "nope\n"u8.ToArray(), "snapshots");
            Assert.Equal(3, wrong.ExitCode);
        }
        finally
        {
            init.Dispose();
        }
    }
}
