using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Offsite.Cli.Tests.Docker;

/// <summary>
/// A test that needs the dockerd test peer. Skipped (with the reason) only when DOCKER_HOST is not
/// set at all; when it is set, an unreachable daemon fails the test.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (string.IsNullOrEmpty(DockerPeer.Host))
        {
            Skip = "DOCKER_HOST is not set: run `bash scripts/test.sh`, or `eval \"$(bash scripts/peers.sh env)\"`";
        }
    }
}

/// <summary>Docker tests stop and start containers: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DockerCollection
{
    public const string Name = "docker";
}

/// <summary>
/// The peer's dockerd, driven through the Engine API: volumes and containers with unique names
/// (image local/busybox:1, network none), all removed on dispose.
/// </summary>
internal sealed class DockerPeer : IDisposable
{
    public const string Image = "local/busybox:1";
    private readonly List<string> _containers = [];
    private readonly List<string> _volumes = [];

    public static string? Host => Environment.GetEnvironmentVariable("DOCKER_HOST");

    public DockerClient Client { get; } = new DockerClientBuilder().WithEndpoint(new Uri(Host!)).Build();

    public string Unique(string tag) => $"offsite-test-{tag}-{Guid.NewGuid():N}"[..40];

    public string CreateVolume(string tag)
    {
        string name = Unique(tag);
        Client.Volumes.CreateAsync(new VolumesCreateParameters { Name = name }).GetAwaiter().GetResult();
        _volumes.Add(name);
        return name;
    }

    /// <summary>Registers a volume offsite creates, so it is removed too.</summary>
    public string WillCreateVolume(string tag)
    {
        string name = Unique(tag);
        _volumes.Add(name);
        return name;
    }

    /// <summary>A running container (sleeps) with the given volumes mounted and labels.</summary>
    public string StartContainer(string tag, IDictionary<string, string>? labels = null, params string[] binds)
    {
        string name = Unique(tag);
        Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = Image,
            Cmd = ["sleep", "3600"],
            Labels = labels ?? new Dictionary<string, string>(),
            HostConfig = new HostConfig { NetworkMode = "none", Binds = binds },
        }).GetAwaiter().GetResult();
        _containers.Add(name);
        Client.Containers.StartContainerAsync(name, new ContainerStartParameters()).GetAwaiter().GetResult();
        return name;
    }

    public bool IsRunning(string container) =>
        Client.Containers.InspectContainerAsync(container).GetAwaiter().GetResult().State?.Running == true;

    /// <summary>Runs a shell script in a container and returns its standard output; a non-zero exit fails the test.</summary>
    public string Exec(string container, string script)
    {
        var created = Client.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", script], AttachStdout = true, AttachStderr = true,
        }).GetAwaiter().GetResult();
        using var stream = Client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters()).GetAwaiter().GetResult();
        var (stdout, stderr) = stream.ReadOutputToEndAsync(CancellationToken.None).GetAwaiter().GetResult();
        long? code = null;
        for (int i = 0; i < 100 && code is null; i++)
        {
            var inspected = Client.Exec.InspectContainerExecAsync(created.ID).GetAwaiter().GetResult();
            if (!inspected.Running) code = inspected.ExitCode;
            else Thread.Sleep(50);
        }
        Assert.True(code == 0, $"exec in {container}: sh -c {script} exited {code}: {stderr}");
        return stdout;
    }

    public string Mountpoint(string volume) => Client.Volumes.InspectAsync(volume).GetAwaiter().GetResult().Mountpoint;

    /// <summary>A listing of a directory tree inside a container: type, mode, size, link target and content hash of each entry.</summary>
    public string Manifest(string container, string dir) =>
        Exec(container, $"cd {dir} && find . | sort | while read -r p; do if [ -L \"$p\" ]; then echo \"$p L $(readlink \"$p\")\"; elif [ -d \"$p\" ]; then echo \"$p D $(stat -c %a \"$p\")\"; else echo \"$p F $(stat -c '%a %s' \"$p\") $(md5sum < \"$p\" | cut -c1-32)\"; fi; done");

    public void Dispose()
    {
        foreach (string c in _containers)
        {
            Swallow(() => Client.Containers.RemoveContainerAsync(c, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }));
        }
        foreach (string v in _volumes)
        {
            Swallow(() => Client.Volumes.RemoveAsync(v, force: true));
        }
        Client.Dispose();
    }

    private static void Swallow(Func<Task> cleanup)
    {
        try
        {
            cleanup().GetAwaiter().GetResult();
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // already gone (the test removed it, or it was never created)
        }
    }

    public static string Text(string s) => s.Replace("\r", "", StringComparison.Ordinal);

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
