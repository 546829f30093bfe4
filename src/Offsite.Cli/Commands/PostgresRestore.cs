using Offsite.App.Restore;
using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Sources.Postgres;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>offsite restore latest --source pg:host:port/db --to postgres://…/newdb [--if-empty|--clean]</c>:
/// streams a dump snapshot into pg_restore or psql.
/// </summary>
public sealed class PostgresRestore
{
    public Option<string?> To { get; } = new("--to") { Description = "restore into postgres://user@host:port/db (created if missing), s3:https://host/bucket[/prefix] (uploads the files), docker-volume:NAME, docker-exec:CONTAINER, vault:|consul:|nomad:[ADDR], an http(s) URL, or etcd:DIR|FILE|- (the snapshot file for etcdctl snapshot restore)" };
    public Option<bool> IfEmpty { get; } = new("--if-empty") { Description = "PostgreSQL: restore only if the target database has no user tables; otherwise do nothing and exit 0" };
    public Option<bool> Clean { get; } = new("--clean") { Description = "PostgreSQL: drop and re-create the target database first (its data is lost; sessions connected to it are ended)" };
    public Option<bool> NoOwner { get; } = new("--no-owner") { Description = "PostgreSQL: do not restore ownership and privileges (objects belong to the connecting user)" };
    public Option<string?> PgBin { get; } = new("--pg-bin") { Description = "directory of pg_restore and psql (default: PATH)" };

    public void AddTo(Command command)
    {
        command.Options.Add(To);
        command.Options.Add(IfEmpty);
        command.Options.Add(Clean);
        command.Options.Add(NoOwner);
        command.Options.Add(PgBin);
    }

    /// <summary>True when <c>--to</c> was given (then this class runs the restore).</summary>
    public bool Handles(ParseResult r) => r.GetValue(To) is not null;

    public Task<int> RunAsync(ParseResult r, GlobalSettings s, SnapshotOptions filters, string reference, CancellationToken ct)
    {
        var target = new PostgresTarget(PgConnection.Parse(r.GetValue(To)!), new PgRestoreOptions(r.GetValue(IfEmpty), r.GetValue(Clean), r.GetValue(NoOwner)), r.GetValue(PgBin));
        return RunAsync(r, s, filters, reference, target, ct);
    }

    /// <summary>Restores into a database target (from --to, or a job's declared restore target).</summary>
    public async Task<int> RunAsync(ParseResult r, GlobalSettings s, SnapshotOptions filters, string reference, IRestoreTarget target, CancellationToken ct)
    {
        var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
        var (sn, report) = await RestoreService.RestoreAsync(repo, reference, filters.Filter(r), target, ct).ConfigureAwait(false);
        Report(s, sn.Id, sn.Source, ((PostgresTarget)target).Connection, (PgRestoreOutcome)report.Details!);
        return ExitCodes.Ok;
    }

    private static void Report(GlobalSettings s, string snapshotId, string source, PgConnection target, PgRestoreOutcome o)
    {
        if (s.Json)
        {
            var tables = new JsonObject();
            foreach (var (table, rows) in o.RowCounts)
            {
                tables[table] = rows;
            }
            Output.Json(new JsonObject
            {
                ["snapshot"] = snapshotId, ["source"] = source, ["database"] = o.Database, ["restored"] = o.Restored,
                ["created"] = o.Created, ["replaced"] = o.Replaced, ["existingTables"] = o.ExistingTables, ["endedSessions"] = o.EndedSessions,
                ["format"] = o.Format.ToString().ToLowerInvariant(), ["seconds"] = o.Seconds, ["tables"] = tables,
            });
            return;
        }
        if (!o.Restored)
        {
            // Always printed (even with --quiet): a CI log must show why nothing happened.
            Console.WriteLine($"{target.Display} already has {o.ExistingTables} user table(s): nothing restored (--if-empty)");
            return;
        }
        string how = o.Replaced ? "replaced" : o.Created ? "created" : "empty, restored into";
        if (o.EndedSessions > 0)
        {
            how += $", {o.EndedSessions} connected session(s) ended";
        }
        CommandRunner.Info(s, $"restored snapshot {snapshotId[..8]} ({source}) into {target.Display} ({how}) in {o.Seconds:0.0}s: {o.RowCounts.Count} tables, {o.RowCounts.Values.Sum()} rows");
        foreach (var (table, rows) in o.RowCounts)
        {
            CommandRunner.Info(s, $"  {table}: {rows} rows");
        }
    }

    /// <summary>Refuses the directory-restore options with --to.</summary>
    public static void RejectTarget(string? target)
    {
        if (target is not null)
        {
            throw new OffsiteException(ErrorKind.Usage, "--to (restore into PostgreSQL) and --target (restore into a directory) exclude each other");
        }
    }
}
