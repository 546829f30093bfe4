using Offsite.App.Config;
using Offsite.Core.Errors;
using Offsite.Sources.Docker;

namespace Offsite.App.Sources.Docker;

/// <summary><c>type: container</c>: a dump command run inside a running container; its output is one file (source <c>docker-exec:CONTAINER</c>).</summary>
public sealed class ContainerSourceOptions : SourceOptions
{
    [RequiredKey, Help("the container's name or id (it must be running)")]
    public string Container { get; set; } = "";
    [RequiredKey, Help("the dump program and its arguments, as a list, run via the exec API (no shell unless you name one)")]
    public List<string> BackupCommand { get; set; } = new();
    [Help("user to run the command as (default: the container's)")]
    public string? User { get; set; }
    [Help("stop other containers labelled docker-volume-backup.stop-during-backup=VALUE while the command runs")]
    public string? StopLabel { get; set; }
    [Help("stop these other containers while the command runs")]
    public List<string>? StopContainers { get; set; }
    [Help("the file name in the snapshot (default: CONTAINER-PROGRAM.out)")]
    public string? FileName { get; set; }
    [Help("the snapshot's source name (default: docker-exec:CONTAINER)")]
    public string? Name { get; set; }

    public override SourcePlan Plan(SourceContext context)
    {
        if (Container.Length == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, "a container source needs container");
        }
        var stop = new StopSelection(StopContainers ?? [], StopLabel, null) { Records = DockerStopRecords.For(context) };
        return SourcePlan.ForStreams(new ContainerExecSource(DockerEndpoint.FromEnvironment(context.Environment), Container, BackupCommand, User, FileName, Name, stop));
    }
}
