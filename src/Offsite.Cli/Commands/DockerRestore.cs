using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.App.Restore;
using Offsite.App.Restore.Docker;
using Offsite.App.Sources.Docker;
using Offsite.Core.Errors;
using Offsite.Sources.Docker;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>offsite restore SNAPSHOT --to docker-volume:NAME [--overwrite]</c> and
/// <c>offsite restore SNAPSHOT --to docker-exec:CONTAINER -- PROGRAM ARGS…</c>, and a job's
/// declared <c>named_volume</c> or <c>container</c> target.
/// </summary>
public sealed class DockerRestore
{
    public Argument<string[]> RestoreCommand { get; } = new("command") { Description = "with --to docker-exec:CONTAINER: the program that reads the dump on its standard input, after --", Arity = ArgumentArity.ZeroOrMore };

    public void AddTo(Command command) => command.Arguments.Add(RestoreCommand);

    public static bool Handles(string? to) => to is not null && DockerNames.IsDocker(to);

    public static bool IsDockerTarget(IRestoreTarget target) => target is NamedVolumeTarget or ContainerTarget;

    /// <summary>The target <c>--to</c> names, with the options that go with it.</summary>
    public IRestoreTarget TargetFor(ParseResult r, string to, string? access, string? helperImage, string? execUser)
    {
        string name = DockerNames.NameOf(to);
        string[] argv = r.GetValue(RestoreCommand) ?? [];
        if (DockerNames.IsVolume(to))
        {
            if (argv.Length > 0)
            {
                throw new OffsiteException(ErrorKind.Usage, $"'{argv[0]}': a command after -- goes with --to docker-exec:CONTAINER, not with a volume");
            }
            return new NamedVolumeTargetOptions { Volume = name, Overwrite = RestoreOverwrite.AlwaysForBucketOrVolume(r), Access = access is null ? VolumeAccess.Auto : VolumeAccesses.Parse(access), HelperImage = helperImage }
                .Create(new App.Sources.SourceContext([], CliEnvironment.Get));
        }
        if (argv.Length == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{to}: give the restore command after --, e.g. offsite restore latest --source {to} --to {to} -- psql -U postgres");
        }
        return new ContainerTargetOptions { Container = name, RestoreCommand = [.. argv], User = execUser }.Create(new App.Sources.SourceContext([], CliEnvironment.Get));
    }

    public async Task<int> RunAsync(ParseResult r, GlobalSettings s, SnapshotOptions filters, string reference, IRestoreTarget target, CancellationToken ct)
    {
        var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
        var (sn, report) = await RestoreService.RestoreAsync(repo, reference, filters.Filter(r), target, ct).ConfigureAwait(false);
        foreach (string error in report.Errors)
        {
            Console.Error.WriteLine($"error: {error}");
        }
        string how = target is NamedVolumeTarget { Prepared: { } p } ? $" ({(p.Created ? "created" : "existing")}, via {(p.Mountpoint is null ? "a helper container" : "its mountpoint")})" : "";
        if (s.Json)
        {
            Output.Json(new JsonObject
            {
                ["snapshot"] = sn.Id, ["source"] = sn.Source, ["target"] = target.Display, ["files"] = report.Files, ["dirs"] = report.Directories,
                ["bytes"] = report.Bytes, ["errors"] = new JsonArray(report.Errors.Select(e => (JsonNode?)e).ToArray()), ["seconds"] = Math.Round(report.Seconds, 3),
            });
        }
        else
        {
            CommandRunner.Info(s, $"restored snapshot {sn.Id[..8]} ({sn.Source}) into {target.Display}{how}: {Output.Count(report.Files, "file")}, {Output.Count(report.Directories, "dir")}, {Output.Bytes(report.Bytes)} in {report.Seconds:0.0}s");
        }
        return report.Complete ? ExitCodes.Ok
            : CommandRunner.Fail(ExitCodes.PartialRestore, $"{report.Errors.Count} path(s) could not be restored intact (listed above); everything else was restored");
    }
}
