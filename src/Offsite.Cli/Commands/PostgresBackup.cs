using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;
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

    public async Task<int> RunAsync(ParseResult r, GlobalSettings s, IReadOnlyList<string> urls, string host, IReadOnlyList<string> tags, CancellationToken ct)
    {
        if (urls.FirstOrDefault(u => !PgConnection.IsUrl(u)) is { } other)
        {
            throw new OffsiteException(ErrorKind.Usage, $"'{other}': PostgreSQL URLs and paths cannot be mixed in one backup");
        }
        var connections = urls.Select(PgConnection.Parse).ToList();
        var tools = new PgTools(r.GetValue(PgBin));
        var format = r.GetValue(Format) is { } f ? PgDumpFormats.Parse(f) : PgDumpFormat.Custom;
        bool all = r.GetValue(AllDatabases), globals = all || r.GetValue(Globals);
        var backup = new PgBackup(tools, format, host, tags);
        var jobs = new List<Func<RunningDump>>();
        foreach (var connection in connections)
        {
            if (globals)
            {
                jobs.Add(() => backup.StartGlobals(connection));
            }
            var databases = all ? await new PgCatalog(tools).ListDatabasesAsync(connection, ct).ConfigureAwait(false) : [connection.Database];
            foreach (string db in databases)
            {
                var c = connection.WithDatabase(db);
                jobs.Add(() => backup.StartDatabase(c));
            }
        }

        var done = new JsonArray();
        var failures = new List<string>();
        long bytes = 0, added = 0, stored = 0;
        // The first dump starts before the repository opens: pg_dump connects and reads the catalog
        // while the passphrase is stretched, instead of after it.
        Task<Core.Repository.Repository>? opening = null;
        foreach (var start in jobs)
        {
            Snapshot snapshot;
            await using var dump = StartOrNull(start, failures);
            if (dump is null)
            {
                continue;
            }
            opening ??= Task.Run(() => CommandRunner.OpenAsync(s, ct), ct);
            var repo = await opening.ConfigureAwait(false);
            string source = dump.Template.Source;
            try
            {
                snapshot = await backup.StoreAsync(repo, dump, w => Console.Error.WriteLine($"warning: {w}"), ct).ConfigureAwait(false);
            }
            catch (OffsiteException e) when (e.Kind == ErrorKind.SourceFailed)
            {
                // One database failing must not stop the others: report it, go on, exit 9 at the end.
                failures.Add(e.Message);
                Console.Error.WriteLine($"offsite: {e.Message}");
                continue;
            }
            var st = snapshot.Stats;
            bytes += st.Bytes;
            added += st.AddedBytes;
            stored += st.AddedStoredBytes;
            done.Add(new JsonObject
            {
                ["snapshot"] = snapshot.Id, ["source"] = source, ["file"] = snapshot.Paths.FirstOrDefault(), ["bytes"] = st.Bytes,
                ["addedBytes"] = st.AddedBytes, ["addedStoredBytes"] = st.AddedStoredBytes, ["seconds"] = st.DurationSeconds,
            });
            CommandRunner.Info(s, $"{source}: snapshot {snapshot.Id[..8]} saved: {Output.Bytes(st.Bytes)} dump in {st.DurationSeconds:0.0}s, added {Output.Bytes(st.AddedBytes)} new data ({Output.Bytes(st.AddedStoredBytes)} stored)");
        }
        if (opening is null)
        {
            await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false); // no dump ran: still prove the repository opens
        }
        if (s.Json)
        {
            Output.Json(new JsonObject
            {
                ["snapshots"] = done, ["bytes"] = bytes, ["addedBytes"] = added, ["addedStoredBytes"] = stored,
                ["failed"] = new JsonArray(failures.Select(m => (JsonNode?)m).ToArray()),
            });
        }
        return failures.Count == 0 ? ExitCodes.Ok
            : CommandRunner.Fail(ExitCodes.SourceFailed, $"{failures.Count} of {jobs.Count} PostgreSQL backup(s) failed (see above); no snapshot was written for them");
    }

    private static RunningDump? StartOrNull(Func<RunningDump> start, List<string> failures)
    {
        try
        {
            return start();
        }
        catch (OffsiteException e) when (e.Kind == ErrorKind.SourceFailed)
        {
            failures.Add(e.Message);
            Console.Error.WriteLine($"offsite: {e.Message}");
            return null;
        }
    }
}
