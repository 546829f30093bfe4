using System.CommandLine;
using Offsite.App.Backup;
using Offsite.App.Sources;
using Offsite.App.Sources.Docker;
using Offsite.Core.Errors;
using Offsite.Sources.Docker;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>offsite backup docker-volume:NAME</c> (a volume's files as one tree) and
/// <c>offsite backup docker-exec:CONTAINER -- PROGRAM ARGS…</c> (a dump run inside a container);
/// both go through the same options classes as <c>type: named_volume</c> and <c>type: container</c>.
/// </summary>
public sealed class DockerBackup
{
    public Option<string?> Access { get; } = new("--docker-access") { Description = "Docker volume: auto (default: the mountpoint when readable here, else a tar stream through a helper container), mountpoint or archive" };
    public Option<string?> HelperImage { get; } = new("--docker-helper-image") { Description = $"Docker volume: image of the helper container for the archive path, already on the daemon (default {HelperContainer.DefaultImage})" };
    public Option<bool> StopDuringBackup { get; } = new("--stop-during-backup") { Description = "Docker volume: stop the running containers that mount it while it is read; they are started again however the backup ends" };
    public Option<string?> StopLabel { get; } = new("--stop-label") { Description = $"Docker: also stop containers labelled {StopSelection.LabelKey}=VALUE while backing up" };
    public Option<string[]> StopContainers { get; } = new("--stop-container") { Description = "Docker: also stop this container while backing up (repeatable)" };
    public Option<string?> ExecUser { get; } = new("--exec-user") { Description = "Docker exec: user to run the command as" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Access, HelperImage, StopDuringBackup, StopLabel, StopContainers, ExecUser })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>True when the first argument names a Docker volume or container (then this class runs the backup).</summary>
    public static bool Handles(IReadOnlyList<string> args) => args.Count > 0 && DockerNames.IsDocker(args[0]);

    public async Task<int> RunAsync(ParseResult r, GlobalSettings s, IReadOnlyList<string> args, string? fileName, BackupRequest request, CancellationToken ct)
    {
        string name = DockerNames.NameOf(args[0]);
        SourceOptions options;
        if (DockerNames.IsVolume(args[0]))
        {
            if (args.Count > 1)
            {
                throw new OffsiteException(ErrorKind.Usage, $"'{args[1]}': back up one volume per command (or list several in a job)");
            }
            options = new NamedVolumeSourceOptions
            {
                Volume = name, Access = r.GetValue(Access) is { } a ? VolumeAccesses.Parse(a) : VolumeAccess.Auto, HelperImage = r.GetValue(HelperImage),
                StopDuringBackup = r.GetValue(StopDuringBackup), StopLabel = r.GetValue(StopLabel), StopContainers = [.. r.GetValue(StopContainers) ?? []],
            };
        }
        else
        {
            if (args.Count < 2)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{args[0]}: give the dump command after --, e.g. offsite backup {args[0]} -- pg_dumpall -U postgres");
            }
            if (r.GetValue(StopDuringBackup))
            {
                throw new OffsiteException(ErrorKind.Usage, "--stop-during-backup applies to volumes; to stop other containers during a dump use --stop-label or --stop-container");
            }
            options = new ContainerSourceOptions
            {
                Container = name, BackupCommand = [.. args.Skip(1)], User = r.GetValue(ExecUser), FileName = fileName,
                StopLabel = r.GetValue(StopLabel), StopContainers = [.. r.GetValue(StopContainers) ?? []],
            };
        }
        var observer = new CliBackupObserver(s, streamLines: false);
        if (options is NamedVolumeSourceOptions)
        {
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var plan = options.Plan(new SourceContext(repo.Cache.Directory is { } dir ? [dir] : [], CliEnvironment.Get) { Log = CliEnvironment.Runtime.Logger });
            await BackupService.BackupTreeAsync(repo, plan.Tree!, plan.Paths, request with { SourceName = request.SourceName ?? plan.SourceName }, observer, ct).ConfigureAwait(false);
        }
        else
        {
            var plan = options.Plan(new SourceContext([], CliEnvironment.Get) { Log = CliEnvironment.Runtime.Logger });
            var result = await BackupService.BackupStreamsAsync(plan.Streams!, c => CommandRunner.OpenAsync(s, c), request, observer, ct).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                return ExitCodes.SourceFailed; // the observer printed the one line that says why
            }
        }
        if (s.Json)
        {
            Output.Json(observer.Results[0]!.DeepClone());
        }
        return ExitCodes.Ok;
    }
}
