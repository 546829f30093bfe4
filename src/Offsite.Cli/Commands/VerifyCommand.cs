using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;
using Offsite.Sources.Postgres;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>offsite verify --restore-to postgres://…/scratch [--source pg:host:port/db] [snapshot]</c>:
/// the restore drill. Restores into a scratch database, checks every table's row count against the
/// rows the dump holds, drops the scratch database, reports. Exit 4 when the counts disagree.
/// </summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var snapshot = new Argument<string>("snapshot") { Description = "snapshot id or 'latest' (default)", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "latest" };
        var restoreTo = new Option<string>("--restore-to") { Description = "scratch database for the drill (postgres://user@host:port/scratch); must not exist or be empty; dropped afterwards", Required = true };
        var keep = new Option<bool>("--keep") { Description = "keep the scratch database after the drill" };
        var pgBin = new Option<string?>("--pg-bin") { Description = "directory of pg_restore and psql (default: PATH)" };
        var filters = new SnapshotOptions();
        var command = new Command("verify", "restore drill: restore a database snapshot into a scratch database, check table row counts, drop it") { snapshot, restoreTo, keep, pgBin };
        filters.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var scratch = PgConnection.Parse(r.GetValue(restoreTo)!);
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var sn = await FindAsync(repo, filters, r, r.GetValue(snapshot)!, ct).ConfigureAwait(false);
            await repo.LoadIndexAsync(ct).ConfigureAwait(false);
            var source = await DumpSource.OpenAsync(new BlobLoader(repo), sn, ct).ConfigureAwait(false);
            var report = await new PgVerify(new PgTools(r.GetValue(pgBin))).RunAsync(source, scratch, r.GetValue(keep), ct).ConfigureAwait(false);
            Report(s, sn, scratch, report);
            return report.Ok ? ExitCodes.Ok
                : CommandRunner.Fail(ExitCodes.RepositoryDamaged, $"restore drill of {sn.Source} FAILED: {report.Problems.Count} table(s) differ from the dump (listed above)");
        });
        return command;
    }

    /// <summary>Without --source, <c>latest</c> means the latest database snapshot (globals and file backups are skipped).</summary>
    private static async Task<Snapshot> FindAsync(Core.Repository.Repository repo, SnapshotOptions filters, ParseResult r, string reference, CancellationToken ct)
    {
        if (reference != "latest" || r.GetValue(filters.Source) is not null)
        {
            return await filters.FindAsync(repo, r, reference, ct).ConfigureAwait(false);
        }
        var all = await repo.ListSnapshotsAsync(ct).ConfigureAwait(false);
        var databases = all.Where(x => x.Tags.Contains(PgBackup.Tag) && !x.Source.EndsWith("/globals", StringComparison.Ordinal)).ToList();
        if (databases.Count == 0)
        {
            throw new OffsiteException(ErrorKind.NotFound, "no PostgreSQL database snapshot in the repository (back one up with `offsite backup postgres://…`)");
        }
        return SnapshotFinder.Find(databases, reference, new SnapshotFinder.Filter(null, filters.Filter(r).Host, filters.Filter(r).Tags));
    }

    private static void Report(GlobalSettings s, Snapshot sn, PgConnection scratch, PgVerifyReport report)
    {
        var restored = report.Restore.RowCounts;
        if (s.Json)
        {
            var tables = new JsonObject();
            foreach (var (table, rows) in report.DumpCounts)
            {
                tables[table] = new JsonObject { ["dump"] = rows, ["restored"] = restored.TryGetValue(table, out long n) ? n : null };
            }
            Output.Json(new JsonObject
            {
                ["snapshot"] = sn.Id, ["source"] = sn.Source, ["scratch"] = scratch.Display, ["ok"] = report.Ok,
                ["seconds"] = report.Restore.Seconds, ["tables"] = tables, ["dropped"] = report.Dropped,
                ["problems"] = new JsonArray(report.Problems.Select(p => (JsonNode?)p).ToArray()),
            });
            return;
        }
        foreach (string problem in report.Problems)
        {
            Console.Error.WriteLine($"MISMATCH {problem}");
        }
        CommandRunner.Info(s, $"restore drill of snapshot {sn.Id[..8]} ({sn.Source}, {Output.Time(sn.Time)}) into {scratch.Display}: restored in {report.Restore.Seconds:0.0}s");
        CommandRunner.Info(s, $"{report.DumpCounts.Count} tables, {report.DumpCounts.Values.Sum()} rows in the dump; {report.DumpCounts.Count - report.Problems.Count} tables match after restore");
        CommandRunner.Info(s, report.Dropped ? $"scratch database {report.Restore.Database} dropped" : $"scratch database {report.Restore.Database} kept (--keep)");
        if (report.Ok)
        {
            CommandRunner.Info(s, "OK");
        }
    }
}
