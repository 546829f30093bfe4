using Docker.DotNet;
using Docker.DotNet.Models;
using Offsite.Core.Errors;

namespace Offsite.Sources.Docker;

/// <summary>
/// A short-lived container that only mounts a volume at <see cref="MountPath"/>, so the Engine
/// API's archive endpoint can read or write the volume as a tar stream. It is created, never
/// started (the archive endpoint works on a created container), has no network, and is removed on
/// dispose with a token of its own. Its image must already be on the daemon: nothing is pulled.
/// </summary>
public sealed class HelperContainer : IAsyncDisposable
{
    public const string MountPath = "/offsite-volume";
    public const string DefaultImage = "busybox:latest";
    public const string Label = "offsite.helper";

    private readonly DockerClient _client;

    private HelperContainer(DockerClient client, string id)
    {
        _client = client;
        Id = id;
    }

    public string Id { get; }

    public static async Task<HelperContainer> CreateAsync(DockerClient client, string volume, string image, bool readOnly, CancellationToken ct)
    {
        try
        {
            var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = $"offsite-helper-{Guid.NewGuid():N}"[..28],
                Image = image,
                Labels = new Dictionary<string, string> { [Label] = volume },
                NetworkDisabled = true,
                HostConfig = new HostConfig { Binds = [$"{volume}:{MountPath}{(readOnly ? ":ro" : "")}"], NetworkMode = "none" },
            }, ct).ConfigureAwait(false);
            return new HelperContainer(client, created.ID);
        }
        catch (DockerApiException e) when (DockerFailure.IsNotFound(e))
        {
            throw new OffsiteException(ErrorKind.SourceFailed,
                $"helper image '{image}' is not on the Docker daemon ({DockerFailure.Cause(e)}); pull it there or name a present image with helper_image / --docker-helper-image");
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(ContainerStopper.RestartTimeout);
        try
        {
            await _client.Containers.RemoveContainerAsync(Id, new ContainerRemoveParameters { Force = true }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (DockerFailure.IsNotFound(e))
        {
            // already gone: nothing to clean up
        }
    }
}
