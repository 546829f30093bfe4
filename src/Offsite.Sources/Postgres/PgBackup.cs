using Offsite.Core.Backup;
using Offsite.Core.Snapshots;

namespace Offsite.Sources.Postgres;

/// <summary>
/// Streams pg_dump (or pg_dumpall --globals-only) straight into the repository: no temporary file,
/// memory bounded by the chunker. A dump is started first (<see cref="StartDatabase"/>) and stored
/// second (<see cref="StoreAsync"/>), so callers can open the repository while pg_dump gets going.
/// The dump program's exit status is checked after its output ends and before the snapshot is
/// written, so a failed dump never leaves a snapshot.
/// </summary>
public sealed class PgBackup
{
    public const string Tag = "postgres";

    private readonly PgTools _tools;
    private readonly PgCatalog _catalog;
    private readonly PgDumpFormat _format;
    private readonly string _host;
    private readonly IReadOnlyList<string> _tags;
    private readonly Dictionary<string, Task<int?>> _clientMajor = new(StringComparer.Ordinal);

    public PgBackup(PgTools tools, PgDumpFormat format, string host, IReadOnlyList<string> tags)
    {
        _tools = tools;
        _catalog = new PgCatalog(tools);
        _format = format;
        _host = host;
        _tags = tags.Contains(Tag) ? tags : [Tag, .. tags];
    }

    /// <summary>Starts pg_dump for one database; its output waits in the pipe until <see cref="StoreAsync"/>.</summary>
    public RunningDump StartDatabase(PgConnection connection, CancellationToken cancellationToken)
    {
        string name = _format.FileName(connection.Database);
        var template = new SnapshotTemplate(connection.SourceName, _host, ["/" + name], _tags);
        return Start(_tools.PgDump, [.. _format.PgDumpArguments(), "--no-password"], connection, name, template, cancellationToken);
    }

    /// <summary>Starts <c>pg_dumpall --globals-only</c> (roles and tablespaces), stored as its own snapshot.</summary>
    public RunningDump StartGlobals(PgConnection connection, CancellationToken cancellationToken)
    {
        var template = new SnapshotTemplate(connection.GlobalsSourceName, _host, ["/globals.sql"], _tags);
        string[] args = ["--globals-only", "--no-password", "-l", connection.Database];
        return Start(_tools.PgDumpAll, args, connection, "globals.sql", template, cancellationToken);
    }

    /// <summary>
    /// Reads the dump into <paramref name="repository"/> and writes its snapshot once the program
    /// exited 0. <paramref name="warn"/> gets the version warning (before any failure is reported).
    /// </summary>
    public async Task<Snapshot> StoreAsync(Core.Repository.Repository repository, RunningDump dump, Action<string> warn, CancellationToken cancellationToken)
    {
        var runner = new BackupRunner(repository);
        using var killOnCancel = dump.Process.KillOnCancel(cancellationToken);
        try
        {
            return await runner.BackupStreamAsync(dump.Output, dump.FileName,
                c => dump.Process.EnsureSuccessAsync($"{dump.Template.Source}: dump failed, no snapshot was written", c),
                dump.Template, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (await dump.VersionWarning.ConfigureAwait(false) is { } warning)
            {
                warn(warning);
            }
        }
    }

    private RunningDump Start(string program, IReadOnlyList<string> args, PgConnection connection, string name, SnapshotTemplate template, CancellationToken cancellationToken)
    {
        var process = PgProcess.Start(program, args, connection);
        // Checked alongside the dump rather than before it: two more programs to start would delay
        // every backup, and the warning only matters when the versions differ.
        var warning = CheckVersionAsync(connection, program, cancellationToken);
        return new RunningDump(process, name, template, warning);
    }

    /// <summary>A warning when the dump program is older than the server (pg_dump refuses newer servers).</summary>
    private async Task<string?> CheckVersionAsync(PgConnection connection, string program, CancellationToken cancellationToken)
    {
        Task<int?> clientTask;
        lock (_clientMajor)
        {
            if (!_clientMajor.TryGetValue(program, out clientTask!))
            {
                clientTask = _tools.MajorVersionAsync(program, cancellationToken);
                _clientMajor[program] = clientTask;
            }
        }
        try
        {
            int? clientMajor = await clientTask.ConfigureAwait(false);
            var (server, _) = await _catalog.TryServerMajorAsync(connection, cancellationToken).ConfigureAwait(false);
            if (clientMajor is int client && server is int major && client < major)
            {
                return $"{Path.GetFileName(program)} {client} is older than the server of {connection.SourceName} (PostgreSQL {major}); "
                    + $"it may refuse to dump or miss newer objects: install the PostgreSQL {major} client programs or pass --pg-bin DIR";
            }
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null; // the backup itself reports the interruption
        }
        catch (Core.Errors.OffsiteException e) when (e.Kind == Core.Errors.ErrorKind.SourceFailed)
        {
            // A check that cannot run (psql missing) must not fail a dump that works.
            return $"could not compare {Path.GetFileName(program)}'s version with the server of {connection.SourceName}: {e.Message}";
        }
    }
}
