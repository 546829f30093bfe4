using Offsite.App.Sources;
using Offsite.App.Config;
using Offsite.App.Sources.Docker;
using Offsite.Core.Errors;
using Offsite.Sources.Docker;

namespace Offsite.App.Restore.Docker;

/// <summary><c>restore: {type: named_volume}</c>: restore a volume snapshot into a Docker volume (created when missing).</summary>
public sealed class NamedVolumeTargetOptions : RestoreTargetOptions
{
    [RequiredKey, Help("the volume to restore into")]
    public string Volume { get; set; } = "";
    [Help("write over a volume that already holds files (default: refuse)")]
    public bool Overwrite { get; set; }
    [Help("auto, mountpoint or archive (as for the source)")]
    public VolumeAccess Access { get; set; }
    [Help("image of the helper container for the archive path (default busybox:latest)")]
    public string? HelperImage { get; set; }

    public override IRestoreTarget Create() => throw new InvalidOperationException("a Docker target reads DOCKER_HOST: create it with the environment");

    public override IRestoreTarget Create(SourceContext context)
    {
        DockerNames.RequireVolume(Volume);
        return new NamedVolumeTarget(DockerEndpoint.FromEnvironment(context.Environment), Volume, Access, Overwrite, HelperImage);
    }
}

/// <summary><c>restore: {type: container}</c>: stream a dump into <c>restore_command</c> run inside a running container.</summary>
public sealed class ContainerTargetOptions : RestoreTargetOptions
{
    [RequiredKey, Help("the container's name or id (it must be running)")]
    public string Container { get; set; } = "";
    [RequiredKey, Help("the program that reads the dump on its standard input, as a list")]
    public List<string> RestoreCommand { get; set; } = new();
    public string? User { get; set; }

    public override IRestoreTarget Create() => throw new InvalidOperationException("a Docker target reads DOCKER_HOST: create it with the environment");

    public override IRestoreTarget Create(SourceContext context)
    {
        if (Container.Length == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, "restore: a container target needs container");
        }
        return new ContainerTarget(DockerEndpoint.FromEnvironment(context.Environment), Container, RestoreCommand, User);
    }
}
