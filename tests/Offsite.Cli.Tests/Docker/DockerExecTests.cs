namespace Offsite.Cli.Tests.Docker;

/// <summary>Dumps run inside containers (exec API) through the real binary against the peer's dockerd.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerExecTests : IDisposable
{
    private readonly Sandbox _box = new();
    private readonly DockerPeer _docker = new();

    public DockerExecTests() => _box.Env["DOCKER_HOST"] = DockerPeer.Host;

    public void Dispose()
    {
        _docker.Dispose();
        _box.Dispose();
    }

    [DockerFact]
    public void Exec_dump_backs_up_a_commands_output_and_restores_it_into_another_containers_command()
    {
        string db = _docker.StartContainer("db");
        _docker.Exec(db, "mkdir /srv && seq 1 200000 > /srv/data.txt && echo 'last line' >> /srv/data.txt");
        var saved = _box.Backup($"docker-exec:{db}", "--", "cat", "/srv/data.txt");
        Assert.Equal($"docker-exec:{db}", saved["source"]!.GetValue<string>());

        string other = _docker.StartContainer("other");
        _box.Ok("restore", "latest", "--to", $"docker-exec:{other}", "--", "sh", "-c", "cat > /tmp/restored.txt");
        Assert.Equal(DockerPeer.Text(_docker.Exec(db, "md5sum < /srv/data.txt")), DockerPeer.Text(_docker.Exec(other, "md5sum < /tmp/restored.txt")));
        Assert.Equal("last line\n", DockerPeer.Text(_docker.Exec(other, "tail -n 1 /tmp/restored.txt")));
    }

    [DockerFact]
    public void A_failing_backup_command_fails_with_its_stderr_exit_9_no_snapshot_and_restarts_stopped_containers()
    {
        string db = _docker.StartContainer("db");
        string app = _docker.StartContainer("app", new Dictionary<string, string> { ["docker-volume-backup.stop-during-backup"] = "dump" });
        string before = StartedAt(app);
        string job = _box.Path("job.yaml");
        File.WriteAllText(job, $"""
            repositories:
              main: {"{"}location: {_box.Repo}, password: "{Sandbox.Password}"{"}"}
            jobs:
              dump:
                source: {"{"}type: container, container: {db}, stop_label: dump, backup_command: [sh, -c, "echo partial; echo 'dump: table t is locked' >&2; exit 3"]{"}"}
            """);
        var r = _box.Expect(9, "--config", job, "run", "dump");
        Assert.Contains($"job dump failed: docker container '{db}': sh exited with code 3: dump: table t is locked; no snapshot was written", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(_box.Json("snapshots").AsArray());
        Assert.True(_docker.IsRunning(app), "the labelled container was left stopped");
        Assert.NotEqual(before, StartedAt(app)); // it was stopped, and started again
    }

    [DockerFact]
    public void A_job_restores_into_its_declared_container_target_and_a_failing_restore_command_exits_9()
    {
        string db = _docker.StartContainer("db");
        _docker.Exec(db, "echo 'hello from the dump' > /tmp/dump.sql");
        string target = _docker.StartContainer("target");
        string job = _box.Path("job.yaml");
        File.WriteAllText(job, $"""
            repositories:
              main: {"{"}location: {_box.Repo}, password: "{Sandbox.Password}"{"}"}
            jobs:
              dump:
                source: {"{"}type: container, container: {db}, backup_command: [cat, /tmp/dump.sql]{"}"}
                restore: {"{"}type: container, container: {target}, restore_command: [sh, -c, "cat > /tmp/in.sql"]{"}"}
              broken:
                source: {"{"}type: container, container: {db}, backup_command: [cat, /tmp/dump.sql]{"}"}
                restore: {"{"}type: container, container: {target}, restore_command: [sh, -c, "echo 'psql: connection refused' >&2; exit 2"]{"}"}
            """);
        _box.Ok("--config", job, "run", "dump");
        _box.Ok("--config", job, "--job", "dump", "restore", "latest");
        Assert.Equal("hello from the dump\n", DockerPeer.Text(_docker.Exec(target, "cat /tmp/in.sql")));

        var failed = _box.Expect(9, "--config", job, "--job", "broken", "restore", "latest");
        Assert.Contains($"docker container '{target}': restore failed: sh exited with code 2: psql: connection refused", failed.Stderr, StringComparison.Ordinal);
    }

    [DockerFact]
    public void Missing_container_exits_9_for_a_backup_and_10_for_a_restore()
    {
        string missing = _docker.Unique("missing");
        var r = _box.Expect(9, "backup", $"docker-exec:{missing}", "--", "true");
        Assert.Matches($"^offsite: docker container '{missing}': not found on the Docker daemon at unix://[^\n]+\n$", r.Stderr);
        Assert.Empty(_box.Json("snapshots").AsArray());

        string db = _docker.StartContainer("db");
        _box.Backup($"docker-exec:{db}", "--", "echo", "x");
        var restore = _box.Expect(10, "restore", "latest", "--to", $"docker-exec:{missing}", "--", "cat");
        Assert.Contains($"docker container '{missing}': not found", restore.Stderr, StringComparison.Ordinal);
    }

    [DockerFact]
    public void A_missing_container_or_volume_fails_its_job_with_one_line_naming_the_job_exit_9_and_no_snapshot()
    {
        string container = _docker.Unique("gone");
        string volume = _docker.Unique("gone");
        string job = _box.Path("job.yaml");
        File.WriteAllText(job, $"""
            repositories:
              main: {"{"}location: {_box.Repo}, password: "{Sandbox.Password}"{"}"}
            jobs:
              dump:
                source: {"{"}type: container, container: {container}, backup_command: [cat, /etc/hostname]{"}"}
              vol:
                source: {"{"}type: named_volume, volume: {volume}{"}"}
            """);
        foreach (var (name, cause) in new[] { ("dump", $"docker container '{container}': not found"), ("vol", $"docker volume '{volume}': not found") })
        {
            var r = _box.Expect(9, "--config", job, "run", name);
            string line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"offsite: job {name} failed: {cause} on the Docker daemon at unix://", line, StringComparison.Ordinal);
        }
        Assert.Empty(_box.Json("snapshots").AsArray());
    }

    /// <summary>SIGTERM (what systemd and `docker stop` send) while a labelled container is stopped: it is started again before offsite exits 130.</summary>
    [DockerFact]
    public void A_terminated_backup_starts_the_stopped_containers_again_and_writes_no_snapshot()
    {
        string db = _docker.StartContainer("db");
        string app = _docker.StartContainer("app", new Dictionary<string, string> { ["docker-volume-backup.stop-during-backup"] = "term" });
        using var backup = _box.Start("backup", $"docker-exec:{db}", "--stop-label", "term", "--", "sh", "-c", "echo start; sleep 120");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_docker.IsRunning(app))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(90) && !backup.HasExited, "the labelled container was never stopped");
            Thread.Sleep(200);
        }
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", backup.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }
        Assert.True(backup.WaitForExit(TimeSpan.FromSeconds(90)), "offsite did not end after SIGTERM");
        Assert.Equal(130, backup.ExitCode);
        Assert.True(_docker.IsRunning(app), "the labelled container was left stopped");
        Assert.Empty(_box.Json("snapshots").AsArray());
    }

    [DockerFact]
    public void A_killed_backups_stopped_container_is_started_by_the_next_docker_backup_but_never_while_that_backup_lives()
    {
        string db = _docker.StartContainer("db");
        string app = _docker.StartContainer("app", new Dictionary<string, string> { ["docker-volume-backup.stop-during-backup"] = "kill" });
        using var backup = _box.Start("backup", $"docker-exec:{db}", "--stop-label", "kill", "--", "sh", "-c", "echo start; sleep 300");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_docker.IsRunning(app))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(90) && !backup.HasExited, "the labelled container was never stopped");
            Thread.Sleep(200);
        }
        string[] quick = ["backup", $"docker-exec:{db}", "--", "echo", "quick"];
        string recovered = $"started container {app} that a killed backup had stopped";

        string record = Assert.Single(Directory.GetFiles(_box.Path("state/docker-stopped"), "*.json"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(record));
        Assert.Contains(app, File.ReadAllText(record), StringComparison.Ordinal);
        var whileAlive = _box.Ok(quick);
        Assert.False(_docker.IsRunning(app), "a backup started the container that a live backup holds stopped");
        Assert.DoesNotContain("killed backup", whileAlive.Stderr, StringComparison.Ordinal);

        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", backup.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }
        Assert.True(backup.WaitForExit(TimeSpan.FromSeconds(30)), "offsite did not die on SIGKILL");
        Assert.False(_docker.IsRunning(app), "SIGKILL cannot restart anything: the container should still be stopped here");

        var next = _box.Ok(quick);
        Assert.True(_docker.IsRunning(app), $"the next backup did not start the container a killed backup left stopped: {next}");
        var warnings = next.Stderr.Split('\n').Where(l => l.Contains(recovered, StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count == 1 && warnings[0].StartsWith("warning: ", StringComparison.Ordinal), $"expected one warning naming {app}: {next.Stderr}");
        Assert.Empty(Directory.GetFiles(_box.Path("state/docker-stopped"), "*.json"));

        var after = _box.Ok(quick);
        Assert.DoesNotContain("killed backup", after.Stderr, StringComparison.Ordinal);
    }

    private string StartedAt(string container) => _docker.Client.Containers.InspectContainerAsync(container).GetAwaiter().GetResult().State?.StartedAt ?? "";
}
