using System.Text.Json.Nodes;
using Offsite.App.Backup;
using Offsite.App.Sources;
using Offsite.App.Sources.Http;
using Offsite.Core.Errors;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>offsite backup vault:[ADDR] | consul:[ADDR] | nomad:[ADDR] | etcd:[ADDR] | https://URL</c>:
/// a raft (or etcd) snapshot over HTTP as one snapshot, streamed into the repository.
/// </summary>
public static class HttpBackup
{
    /// <summary>True when the arguments name an HTTP source (then this class runs the backup).</summary>
    public static bool Handles(IReadOnlyList<string> args) => args.Any(ServiceSpecs.IsSpec);

    public static async Task<int> RunAsync(GlobalSettings s, IReadOnlyList<string> args, BackupRequest request, CancellationToken ct)
    {
        if (args.Count != 1)
        {
            throw new OffsiteException(ErrorKind.Usage, "back up one HTTP source at a time (vault:, consul:, nomad:, etcd: or a URL), without paths");
        }
        var plan = ServiceSpecs.Source(args[0]).Plan(new SourceContext([], CliEnvironment.Get));
        var observer = new CliBackupObserver(s, streamLines: false);
        var result = await BackupService.BackupStreamsAsync(plan.Streams!, c => CommandRunner.OpenAsync(s, c), request, observer, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            // The observer printed the cause; the exit code says "source failed".
            return ExitCodes.SourceFailed;
        }
        if (s.Json)
        {
            Output.Json(observer.Results[0]!.DeepClone());
        }
        return ExitCodes.Ok;
    }
}
