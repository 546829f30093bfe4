using Offsite.App.Config;
using Offsite.Core.Errors;
using Offsite.Sources.Docker;

namespace Offsite.App.Sources.Docker;

/// <summary><c>type: named_volume</c>: a Docker volume's files as one tree (source <c>docker-volume:NAME</c>).</summary>
public sealed class NamedVolumeSourceOptions : SourceOptions
{
    [RequiredKey, Help("the volume's name")]
    public string Volume { get; set; } = "";
    [Help("auto (mountpoint when readable here, else archive), mountpoint, or archive (tar through a helper container)")]
    public VolumeAccess Access { get; set; }
    [Help("image of the helper container for the archive path, already on the daemon (default busybox:latest)")]
    public string? HelperImage { get; set; }
    [Help("stop the running containers that mount this volume while it is read, start them again after")]
    public bool StopDuringBackup { get; set; }
    [Help("also stop containers labelled docker-volume-backup.stop-during-backup=VALUE")]
    public string? StopLabel { get; set; }
    [Help("also stop these containers (names or ids)")]
    public List<string>? StopContainers { get; set; }
    [Help("the snapshot's source name (default: docker-volume:NAME)")]
    public string? Name { get; set; }

    public override SourcePlan Plan(SourceContext context)
    {
        DockerNames.RequireVolume(Volume);
        var stop = new StopSelection(StopContainers ?? [], StopLabel, StopDuringBackup ? Volume : null) { Records = DockerStopRecords.For(context) };
        var source = new DockerVolumeSource(DockerEndpoint.FromEnvironment(context.Environment), Volume, Access, HelperImage, stop, context.ExcludedPaths);
        return SourcePlan.ForTree(source, ["/"], Name ?? DockerNames.VolumeSource(Volume));
    }
}

/// <summary>The CLI's spellings of Docker sources and targets, and their checks.</summary>
public static class DockerNames
{
    public const string VolumePrefix = "docker-volume:";
    public const string ExecPrefix = "docker-exec:";

    public static string VolumeSource(string volume) => VolumePrefix + volume;

    public static bool IsVolume(string spec) => spec.StartsWith(VolumePrefix, StringComparison.Ordinal);

    public static bool IsExec(string spec) => spec.StartsWith(ExecPrefix, StringComparison.Ordinal);

    public static bool IsDocker(string spec) => IsVolume(spec) || IsExec(spec);

    /// <summary>"docker-volume:data" → "data"; an empty name is a usage error.</summary>
    public static string NameOf(string spec)
    {
        string name = IsVolume(spec) ? spec[VolumePrefix.Length..] : IsExec(spec) ? spec[ExecPrefix.Length..] : spec;
        if (name.Length == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, $"'{spec}': name the volume or container after the colon");
        }
        return name;
    }

    public static void RequireVolume(string volume)
    {
        if (volume.Length == 0 || volume.Contains('/', StringComparison.Ordinal) || volume.Contains(':', StringComparison.Ordinal))
        {
            throw new OffsiteException(ErrorKind.Usage, $"volume '{volume}': a named volume's name (no '/' or ':'; bind mounts are backed up with type: directory)");
        }
    }
}
