using System.Diagnostics;
using Offsite.Core.Errors;

namespace Offsite.Sources.Postgres;

/// <summary>How to treat a target database that already has tables.</summary>
public sealed record PgRestoreOptions(bool IfEmpty = false, bool Clean = false, bool NoOwner = false);

/// <summary>What a restore did. <see cref="Restored"/> is false when --if-empty found tables and left them alone.</summary>
public sealed record PgRestoreOutcome(
    string Database, bool Restored, bool Created, bool Replaced, long ExistingTables, PgDumpFormat Format,
    double Seconds, IReadOnlyDictionary<string, long> RowCounts, int EndedSessions = 0);

/// <summary>
/// Restores a dump snapshot into a database by streaming it into pg_restore (custom) or psql
/// (plain): no temporary file. Creates the database when missing; never drops data unless told
/// to (<see cref="PgRestoreOptions.Clean"/>); the restore runs in one transaction, so a failed
/// restore leaves the target empty (and a later <c>--if-empty</c> run tries again).
/// </summary>
public sealed class PgRestore
{
    private readonly PgTools _tools;
    private readonly PgCatalog _catalog;

    public PgRestore(PgTools tools)
    {
        _tools = tools;
        _catalog = new PgCatalog(tools);
    }

    /// <param name="tee">also receives every byte of the dump (verify counts rows from it), or null.</param>
    public async Task<PgRestoreOutcome> RestoreAsync(DumpSource source, PgConnection target, PgRestoreOptions options, Stream? tee, CancellationToken cancellationToken)
    {
        if (options.IfEmpty && options.Clean)
        {
            throw new OffsiteException(ErrorKind.Usage, "if-empty and clean exclude each other (--if-empty/--clean, if_empty/clean in the config): if-empty keeps existing data, clean replaces it");
        }
        string db = target.Database;
        var server = target.WithDatabase(db == "postgres" ? "template1" : "postgres");
        bool exists = await _catalog.DatabaseExistsAsync(server, db, cancellationToken).ConfigureAwait(false);
        long existing = exists ? await _catalog.UserTableCountAsync(target, cancellationToken).ConfigureAwait(false) : 0;
        var format = await source.DetectFormatAsync(cancellationToken).ConfigureAwait(false);
        bool created = false, replaced = false;
        int endedSessions = 0;
        if (existing > 0 && !source.IsGlobals)
        {
            if (options.IfEmpty)
            {
                return new PgRestoreOutcome(db, false, false, false, existing, format, 0, new Dictionary<string, long>());
            }
            if (!options.Clean)
            {
                throw new OffsiteException(ErrorKind.Usage,
                    $"{target.Display} already has {existing} user table(s); nothing was restored. "
                    + "Use if-empty (--if-empty, if_empty: true) to restore only into an empty database (and otherwise do nothing), "
                    + "or clean (--clean, clean: true) to drop and re-create the database from the backup (its current data is lost).");
            }
            // --clean says "replace it": sessions still connected (the branch's app) are ended.
            endedSessions = await _catalog.DropDatabaseForcedAsync(server, db, cancellationToken).ConfigureAwait(false);
            exists = false;
            replaced = true;
        }
        if (!exists)
        {
            await _catalog.CreateDatabaseAsync(server, db, cancellationToken).ConfigureAwait(false);
            created = !replaced;
        }
        var clock = Stopwatch.StartNew();
        await RunRestoreProgramAsync(source, target, format, options, tee, cancellationToken).ConfigureAwait(false);
        double seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        var counts = source.IsGlobals
            ? new SortedDictionary<string, long>()
            : await _catalog.TableRowCountsAsync(target, cancellationToken).ConfigureAwait(false);
        return new PgRestoreOutcome(db, true, created, replaced, existing, format, seconds, counts, endedSessions);
    }

    private async Task RunRestoreProgramAsync(DumpSource source, PgConnection target, PgDumpFormat format, PgRestoreOptions options, Stream? tee, CancellationToken cancellationToken)
    {
        var (program, args) = RestoreCommand(target, format, options, source.IsGlobals);
        await using var restore = PgProcess.Start(program, args, target, redirectStdin: true);
        var drain = restore.StandardOutput.CopyToAsync(Stream.Null, cancellationToken);
        string what = $"restore of {source.Snapshot.Source} into {target.Display} failed";
        try
        {
            await using (var input = restore.StandardInput)
            {
                await source.CopyToAsync(tee is null ? [input] : [input, tee], cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The program closed its input early: it stopped on an error, which its exit status and stderr report.
            await restore.EnsureSuccessAsync(what, cancellationToken).ConfigureAwait(false);
            throw;
        }
        await restore.EnsureSuccessAsync(what, cancellationToken).ConfigureAwait(false);
        await drain.ConfigureAwait(false);
    }

    private (string Program, List<string> Args) RestoreCommand(PgConnection target, PgDumpFormat format, PgRestoreOptions options, bool globals)
    {
        if (format == PgDumpFormat.Custom)
        {
            var args = new List<string> { "--dbname=" + ConnInfoDatabase(target.Database), "--exit-on-error", "--single-transaction", "--no-password" };
            if (options.NoOwner)
            {
                args.AddRange(["--no-owner", "--no-privileges"]);
            }
            return (_tools.PgRestore, args);
        }
        // psql takes the database from PGDATABASE (set by the connection); globals go on past "role exists".
        var psql = new List<string> { "-X", "-q", "--no-password", "-o", "/dev/null" };
        psql.AddRange(globals ? ["-v", "ON_ERROR_STOP=0"] : ["-v", "ON_ERROR_STOP=1", "--single-transaction"]);
        psql.AddRange(["-f", "-"]);
        return (_tools.Psql, psql);
    }

    /// <summary>A conninfo string naming only the database: the rest of the connection comes from the environment.</summary>
    private static string ConnInfoDatabase(string database) =>
        "dbname='" + database.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
