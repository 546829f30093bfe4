using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Errors;
using Offsite.App.Backup;
using Offsite.App.Sources;
using Offsite.App.Sources.Postgres;
using Offsite.Sources.Postgres;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>offsite backup postgres://… [more URLs] [--all-databases] [--globals]</c>: one snapshot per
/// database (source <c>pg:host:port/db</c>) and, when asked, one for the server's roles and tablespaces.
/// </summary>
public sealed class PostgresBackup
{
    public Option<bool> AllDatabases { get; } = new("--all-databases") { Description = "PostgreSQL: back up every database of the server(s) named by the URL(s), and the globals" };
    public Option<bool> Globals { get; } = new("--globals") { Description = "PostgreSQL: also back up roles and tablespaces (pg_dumpall --globals-only) as source pg:host:port/globals" };
    public Option<string?> Format { get; } = new("--pg-format") { Description = "PostgreSQL dump format: custom (default; pg_dump -Fc -Z0) or plain (SQL)" };
    public Option<string?> PgBin { get; } = new("--pg-bin") { Description = "directory of pg_dump, pg_dumpall, pg_restore and psql (default: PATH)" };

    public void AddTo(Command command)
    {
        command.Options.Add(AllDatabases);
        command.Options.Add(Globals);
        command.Options.Add(Format);
        command.Options.Add(PgBin);
    }

    /// <summary>True when the arguments are PostgreSQL URLs (then this class runs the backup).</summary>
    public static bool Handles(IReadOnlyList<string> args) => args.Any(PgConnection.IsUrl);

    public async Task<int> RunAsync(ParseResult r, GlobalSettings s, IReadOnlyList<string> urls, BackupRequest request, CancellationToken ct)
    {
        if (urls.FirstOrDefault(u => !PgConnection.IsUrl(u)) is { } other)
        {
            throw new OffsiteException(ErrorKind.Usage, $"'{other}': PostgreSQL URLs and paths cannot be mixed in one backup");
        }
        var options = new PostgresSourceOptions
        {
            Urls = [.. urls], AllDatabases = r.GetValue(AllDatabases), Globals = r.GetValue(Globals), Format = r.GetValue(Format), PgBin = r.GetValue(PgBin),
        };
        var plan = options.Plan(new SourceContext([], CliEnvironment.Get));
        var observer = new CliBackupObserver(s, streamLines: true);
        var result = await BackupService.BackupStreamsAsync(plan.Streams!, c => CommandRunner.OpenAsync(s, c), request, observer, ct).ConfigureAwait(false);
        if (s.Json)
        {
            long Sum(string field) => observer.Results.Sum(n => n![field]!.GetValue<long>());
            Output.Json(new JsonObject
            {
                ["snapshots"] = observer.Results.DeepClone(), ["bytes"] = Sum("bytes"), ["addedBytes"] = Sum("addedBytes"), ["addedStoredBytes"] = Sum("addedStoredBytes"),
                ["failed"] = new JsonArray(result.Failures.Select(m => (JsonNode?)m).ToArray()),
            });
        }
        return result.Succeeded ? ExitCodes.Ok
            : CommandRunner.Fail(ExitCodes.SourceFailed, $"{result.Failures.Count} of {result.Streams} PostgreSQL backup(s) failed (see above); no snapshot was written for them");
    }
}
