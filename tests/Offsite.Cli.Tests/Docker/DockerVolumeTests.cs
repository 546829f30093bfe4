namespace Offsite.Cli.Tests.Docker;

/// <summary>Named volumes through the real binary against the peer's dockerd: both read paths, restore, stopping containers, errors.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerVolumeTests : IDisposable
{
    private readonly Sandbox _box = new();
    private readonly DockerPeer _docker = new();

    public DockerVolumeTests() => _box.Env["DOCKER_HOST"] = DockerPeer.Host;

    public void Dispose()
    {
        _docker.Dispose();
        _box.Dispose();
    }

    /// <summary>A volume with nested directories, a large file, an empty file, a symlink, odd modes and a space in a name.</summary>
    private string FilledVolume(out string writer)
    {
        string volume = _docker.CreateVolume("src");
        writer = _docker.StartContainer("writer", null, $"{volume}:/data");
        _docker.Exec(writer, """
            cd /data && mkdir -p a/b/c 'with space' empty-dir && echo alpha > a/one.txt && echo beta > 'with space/two words.txt'
            dd if=/dev/urandom of=a/b/c/big.bin bs=1024 count=3000 2>/dev/null && : > empty.txt
            ln -s a/one.txt link && chmod 640 a/one.txt && chmod 750 a/b && echo z > zz.txt
            """);
        return volume;
    }

    [DockerFact]
    public void Volume_backs_up_through_the_mountpoint_and_restores_into_a_new_volume_with_the_same_content()
    {
        string volume = FilledVolume(out string writer);
        var saved = _box.Backup($"docker-volume:{volume}");
        Assert.Equal($"docker-volume:{volume}", saved["source"]!.GetValue<string>());

        string restored = _docker.WillCreateVolume("restored");
        var r = _box.Ok("restore", "latest", "--to", $"docker-volume:{restored}");
        Assert.Contains("created, via its mountpoint", r.Stdout, StringComparison.Ordinal);
        string reader = _docker.StartContainer("reader", null, $"{restored}:/data");
        Assert.Equal(_docker.Manifest(writer, "/data"), _docker.Manifest(reader, "/data"));
        Assert.Contains("./a/b/c/big.bin F 644 3072000", _docker.Manifest(reader, "/data"), StringComparison.Ordinal);
    }

    [DockerFact]
    public void Volume_backs_up_through_a_helper_container_tar_stream_and_restores_through_one()
    {
        string volume = FilledVolume(out string writer);
        _box.Backup($"docker-volume:{volume}", "--docker-access", "archive", "--docker-helper-image", DockerPeer.Image);

        // The helper container is gone again.
        var helpers = _docker.Client.Containers.ListContainersAsync(new() { All = true }).GetAwaiter().GetResult();
        Assert.DoesNotContain(helpers, c => c.Labels.TryGetValue("offsite.helper", out var v) && v == volume);

        string restored = _docker.WillCreateVolume("restored");
        var job = _box.Path("job.yaml");
        File.WriteAllText(job, $"""
            repositories:
              main: {"{"}location: {_box.Repo}{"}"}
            jobs:
              vol:
                source: {"{"}type: named_volume, volume: {volume}, access: archive, helper_image: "{DockerPeer.Image}"{"}"}
                restore: {"{"}type: named_volume, volume: {restored}, access: archive, helper_image: "{DockerPeer.Image}"{"}"}
            """);
        var r = _box.Ok("--config", job, "--job", "vol", "restore", "latest");
        Assert.Contains("via a helper container", r.Stdout, StringComparison.Ordinal);
        string reader = _docker.StartContainer("reader", null, $"{restored}:/data");
        Assert.Equal(_docker.Manifest(writer, "/data"), _docker.Manifest(reader, "/data"));
    }

    [DockerFact]
    public void Restore_refuses_a_volume_that_holds_files_unless_overwrite_is_given()
    {
        string volume = FilledVolume(out _);
        _box.Backup($"docker-volume:{volume}");
        string target = _docker.CreateVolume("busy");
        string c = _docker.StartContainer("busy", null, $"{target}:/data");
        _docker.Exec(c, "echo keep > /data/existing.txt");

        var refused = _box.Expect(2, "restore", "latest", "--to", $"docker-volume:{target}");
        Assert.Contains($"docker volume '{target}' already holds files", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("keep\n", DockerPeer.Text(_docker.Exec(c, "cat /data/existing.txt")));

        _box.Ok("restore", "latest", "--to", $"docker-volume:{target}", "--overwrite");
        Assert.Equal("alpha\n", DockerPeer.Text(_docker.Exec(c, "cat /data/a/one.txt")));
        Assert.Equal("keep\n", DockerPeer.Text(_docker.Exec(c, "cat /data/existing.txt")));
    }

    [DockerFact]
    public void Stop_during_backup_stops_the_volumes_containers_and_starts_them_again()
    {
        string volume = FilledVolume(out string writer);
        string labelled = _docker.StartContainer("labelled", new Dictionary<string, string> { ["docker-volume-backup.stop-during-backup"] = "nightly" });
        string other = _docker.StartContainer("other", new Dictionary<string, string> { ["docker-volume-backup.stop-during-backup"] = "weekly" });
        string job = _box.Path("job.yaml");
        File.WriteAllText(job, $"""
            repositories:
              main: {"{"}location: {_box.Repo}, password: "{Sandbox.Password}"{"}"}
            jobs:
              vol:
                source: {"{"}type: named_volume, volume: {volume}, stop_during_backup: true, stop_label: nightly{"}"}
                hooks:
                  after: [sh, -c, "echo $OFFSITE_OUTCOME > {_box.Path("outcome")}"]
            """);
        var before = new[] { writer, labelled, other }.ToDictionary(c => c, StartedAt);
        _box.Ok("--config", job, "run", "vol");
        Assert.Equal("success", File.ReadAllText(_box.Path("outcome")).Trim());
        Assert.True(_docker.IsRunning(writer) && _docker.IsRunning(labelled) && _docker.IsRunning(other));
        // Stopped and started again: each run began after the backup started.
        Assert.NotEqual(before[writer], StartedAt(writer));
        Assert.NotEqual(before[labelled], StartedAt(labelled));
        Assert.Equal(before[other], StartedAt(other)); // another label value: left alone
    }

    [DockerFact]
    public void Stopped_containers_are_started_again_when_the_backup_fails()
    {
        string volume = FilledVolume(out string writer);
        var before = StartedAt(writer);
        // The helper image is missing: the backup fails after the container was stopped.
        var r = _box.Expect(9, "backup", $"docker-volume:{volume}", "--stop-during-backup", "--docker-access", "archive", "--docker-helper-image", "offsite-test/absent:0");
        Assert.Contains("helper image 'offsite-test/absent:0' is not on the Docker daemon", r.Stderr, StringComparison.Ordinal);
        Assert.True(_docker.IsRunning(writer), "the container was left stopped");
        Assert.NotEqual(before, StartedAt(writer)); // it was stopped (else the test proves nothing) and started again
        Assert.Empty(_box.Json("snapshots").AsArray());
    }

    [DockerFact]
    public void Missing_volume_fails_the_backup_with_one_line_and_exit_9_and_no_snapshot()
    {
        string missing = _docker.Unique("missing");
        var r = _box.Expect(9, "backup", $"docker-volume:{missing}");
        Assert.Matches($"^offsite: docker volume '{missing}': not found on the Docker daemon at unix://[^\n]+\n$", r.Stderr);
        Assert.Empty(_box.Json("snapshots").AsArray());

        var unreachable = _box.RunWith(new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" }, null, "backup", $"docker-volume:{missing}");
        Sandbox.Expect(9, unreachable, []);
        Assert.Contains("cannot reach the Docker daemon at unix:///nonexistent/docker.sock", unreachable.Stderr, StringComparison.Ordinal);
    }

    private string StartedAt(string container) => _docker.Client.Containers.InspectContainerAsync(container).GetAwaiter().GetResult().State?.StartedAt ?? "";
}
