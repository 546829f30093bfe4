using Offsite.Core.Errors;

namespace Offsite.Sources.Postgres;

/// <summary>What a restore drill found.</summary>
public sealed record PgVerifyReport(
    PgRestoreOutcome Restore, IReadOnlyDictionary<string, long> DumpCounts, IReadOnlyList<string> Problems, bool Dropped)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// A restore drill: restores a dump into a scratch database, compares every table's row count
/// with the number of rows the dump itself holds (counted from its COPY data while it streams,
/// so nothing has to be recorded at backup time and the database is not read twice), then drops
/// the scratch database.
/// </summary>
public sealed class PgVerify
{
    private readonly PgTools _tools;
    private readonly PgCatalog _catalog;

    public PgVerify(PgTools tools)
    {
        _tools = tools;
        _catalog = new PgCatalog(tools);
    }

    public async Task<PgVerifyReport> RunAsync(DumpSource source, PgConnection scratch, bool keep, CancellationToken cancellationToken)
    {
        if (source.IsGlobals)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{source.Snapshot.Source} holds roles and tablespaces, not a database: verify restores database snapshots (pass --source pg:host:port/db)");
        }
        var server = scratch.WithDatabase(scratch.Database == "postgres" ? "template1" : "postgres");
        if (await _catalog.DatabaseExistsAsync(server, scratch.Database, cancellationToken).ConfigureAwait(false)
            && await _catalog.UserTableCountAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{scratch.Display} already has tables: verify drops its scratch database when done, so give it a database that does not exist (or is empty)");
        }
        var counter = new CopyRowCounter();
        var format = await source.DetectFormatAsync(cancellationToken).ConfigureAwait(false);
        PgRestoreOutcome outcome;
        try
        {
            outcome = format == PgDumpFormat.Plain
                ? await new PgRestore(_tools).RestoreAsync(source, scratch, new PgRestoreOptions(), counter, cancellationToken).ConfigureAwait(false)
                : await RestoreCountingCustomAsync(source, scratch, counter, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!keep && await _catalog.DatabaseExistsAsync(server, scratch.Database, cancellationToken).ConfigureAwait(false))
            {
                await _catalog.DropDatabaseAsync(server, scratch.Database, cancellationToken).ConfigureAwait(false);
            }
        }
        return new PgVerifyReport(outcome, counter.Counts, Compare(counter.Counts, outcome.RowCounts), !keep);
    }

    /// <summary>A custom archive is turned back into its COPY data by a second pg_restore (no database) fed the same bytes.</summary>
    private async Task<PgRestoreOutcome> RestoreCountingCustomAsync(DumpSource source, PgConnection scratch, CopyRowCounter counter, CancellationToken cancellationToken)
    {
        await using var toSql = PgProcess.Start(_tools.PgRestore, ["--data-only", "--file=-"], null, redirectStdin: true);
        var counting = toSql.StandardOutput.CopyToAsync(counter, cancellationToken);
        PgRestoreOutcome outcome;
        await using (var input = toSql.StandardInput)
        {
            outcome = await new PgRestore(_tools).RestoreAsync(source, scratch, new PgRestoreOptions(), input, cancellationToken).ConfigureAwait(false);
        }
        await toSql.EnsureSuccessAsync("counting the rows of the dump failed", cancellationToken).ConfigureAwait(false);
        await counting.ConfigureAwait(false);
        return outcome;
    }

    public static List<string> Compare(IReadOnlyDictionary<string, long> dumped, IReadOnlyDictionary<string, long> restored)
    {
        var problems = new List<string>();
        foreach (var (table, rows) in dumped)
        {
            if (!restored.TryGetValue(table, out long got))
            {
                problems.Add($"{table}: in the dump ({rows} rows) but missing after restore");
            }
            else if (got != rows)
            {
                problems.Add($"{table}: the dump holds {rows} rows, the restored table has {got}");
            }
        }
        return problems;
    }
}
