using Offsite.Sources.Docker;

namespace Offsite.App.Sources.Docker;

/// <summary>Where Docker sources note the containers they stop: <c>docker-stopped/</c> in the run's state directory.</summary>
public static class DockerStopRecords
{
    public static StopRecords? For(SourceContext context) =>
        context.StateDirectory is { } state ? new StopRecords(Path.Combine(state, "docker-stopped"), context.Log) : null;
}
