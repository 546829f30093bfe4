namespace Offsite.Cli.Tests;

/// <summary>`offsite run JOB`, `config check|show` and `--job` through the real binary, on a local repository.</summary>
public sealed class ConfigJobTests : IDisposable
{
    private readonly Sandbox _box = new(init: false);

    public ConfigJobTests()
    {
        // The repository and key come from the config file only.
        _box.Env["OFFSITE_REPOSITORY"] = null;
        _box.Env["OFFSITE_PASSWORD"] = null;
        _box.Env["JOB_PW"] = Sandbox.Password;
    }

    public void Dispose() => _box.Dispose();

    private string WriteConfig(string before, string after)
    {
        string data = _box.Dir.Sub("data");
        File.WriteAllText(Path.Combine(data, "a.txt"), "alpha\n");
        File.WriteAllText(Path.Combine(data, "b.bin"), new string('x', 300_000));
        string config = _box.Path("offsite.yaml");
        File.WriteAllText(config, $"""
            repositories:
              main:
                location: {_box.Repo}
                password: ${"{"}JOB_PW{"}"}
            jobs:
              files:
                source: {"{"}type: directory, path: {data}{"}"}
                tags: [nightly]
                hooks:
                  before: [sh, -c, "{before}"]
                  after: [sh, -c, "echo $OFFSITE_OUTCOME \"$OFFSITE_ERROR\" $OFFSITE_SNAPSHOTS > {_box.Path("after.txt")}"]
                restore: {"{"}type: directory, path: {_box.Path("restored")}{"}"}
            """);
        return config;
    }

    [Fact]
    public void Run_backs_up_the_job_with_hooks_and_restore_job_restores_it_into_its_target()
    {
        string config = WriteConfig($"touch {_box.Path("before-ran")}", "");
        _box.Ok("--config", config, "config", "check");
        _box.Ok("--config", config, "--job", "files", "init");

        var run = _box.Ok("--config", config, "run", "files");
        Assert.Contains("1 snapshot(s) saved", run.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(_box.Path("before-ran")));
        string after = File.ReadAllText(_box.Path("after.txt"));
        Assert.StartsWith("success", after, StringComparison.Ordinal);

        var snapshots = _box.Ok("--config", config, "--job", "files", "--json", "snapshots").Json().AsArray();
        var snapshot = Assert.Single(snapshots);
        Assert.Contains(snapshot!["id"]!.GetValue<string>(), after, StringComparison.Ordinal);
        Assert.Equal("nightly", snapshot["tags"]![0]!.GetValue<string>());

        _box.Ok("--config", config, "--job", "files", "restore", "latest");
        string restored = _box.Path("restored") + _box.Path("data");
        Assert.Equal("alpha\n", File.ReadAllText(Path.Combine(restored, "a.txt")));
        Assert.Equal(300_000, new FileInfo(Path.Combine(restored, "b.bin")).Length);
    }

    [Fact]
    public void A_failing_before_hook_fails_the_run_with_no_snapshot_and_the_after_hook_still_runs()
    {
        string config = WriteConfig("echo refusing >&2; exit 3", "");
        _box.Ok("--config", config, "--job", "files", "init");

        var run = _box.Expect(9, "--config", config, "run", "files");
        Assert.Contains("before hook sh exited with code 3: refusing", run.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("failure", File.ReadAllText(_box.Path("after.txt")), StringComparison.Ordinal);
        Assert.Empty(_box.Objects("snapshots"));
    }

    [Fact]
    public void Config_check_reports_each_error_with_its_position_and_never_prints_a_secret()
    {
        string config = _box.Path("bad.yaml");
        File.WriteAllText(config, """
            repositories:
              main:
                location: /srv/repo
                password: hunter2-secret
                s3: {regoin: eu-west-1}
            jobs:
              db:
                source: {type: postgres, url: postgres://db/app, all_databses: true}
                schedule: "@daily"
            """);
        var r = _box.Expect(2, "--config", config, "config", "check");
        Assert.Contains("bad.yaml:5:10: repositories.main.s3.regoin: unknown key (allowed: endpoint, region,", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:8:54: jobs.db.source.all_databses: unknown key (allowed: url, urls, all_databases,", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", r.Stderr + r.Stdout, StringComparison.Ordinal);

        File.WriteAllText(config, """
            repositories:
              main: {location: /srv/repo, password: hunter2-secret}
            jobs:
              db: {source: {type: postgres, url: "postgres://db/app"}}
            """);
        var shown = _box.Ok("--config", config, "config", "show");
        Assert.Contains("password: \"<redacted>\"", shown.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", shown.Stdout + shown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Copy_to_mirrors_after_the_backup_and_a_failed_copy_fails_the_job_but_keeps_the_snapshot()
    {
        string config = WriteConfig("true", "");
        string mirror = _box.Path("mirror");
        File.AppendAllText(config, $"\n    copy_to: [{mirror}]\n");
        _box.Ok("--config", config, "--job", "files", "init");
        var run = _box.Ok("--config", config, "run", "files");
        Assert.Contains($"copy to {mirror}:", run.Stdout, StringComparison.Ordinal);
        // The mirror is the same repository: the same passphrase lists the same snapshot there.
        var there = _box.RunWith(new Dictionary<string, string?> { ["OFFSITE_REPOSITORY"] = mirror, ["OFFSITE_PASSWORD"] = Sandbox.Password }, null, "--json", "snapshots");
        Assert.True(there.ExitCode == 0, there.ToString());
        Assert.Single(there.Json().AsArray());

        File.WriteAllText(config, File.ReadAllText(config).Replace(mirror, "/proc/offsite-cannot-write-here", StringComparison.Ordinal));
        var failed = _box.Expect(6, "--config", config, "run", "files");
        Assert.Contains("FAILED", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, _box.Objects("snapshots").Count);
    }

    [Fact]
    public void An_unknown_job_names_the_jobs_that_exist()
    {
        string config = WriteConfig("true", "");
        var r = _box.Expect(2, "--config", config, "run", "nightly");
        Assert.Contains("no job 'nightly'", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("jobs: files", r.Stderr, StringComparison.Ordinal);
    }
}
