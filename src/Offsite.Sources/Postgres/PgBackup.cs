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

    public PgBackup(PgTools tools, PgDumpFormat format, string host, IReadOnlyList<string> tags)
    {
        _tools = tools;
        _catalog = new PgCatalog(tools);
        _format = format;
        _host = host;
        _tags = tags.Contains(Tag) ? tags : [Tag, .. tags];
    }

    /// <summary>Starts pg_dump for one database; its output waits in the pipe until <see cref="StoreAsync"/>.</summary>
    public RunningDump StartDatabase(PgConnection connection)
    {
        string name = _format.FileName(connection.Database);
        var template = new SnapshotTemplate(connection.SourceName, _host, ["/" + name], _tags);
        return Start(_tools.PgDump, [.. _format.PgDumpArguments(), "--no-password"], connection, name, template);
    }

    /// <summary>Starts <c>pg_dumpall --globals-only</c> (roles and tablespaces), stored as its own snapshot.</summary>
    public RunningDump StartGlobals(PgConnection connection)
    {
        var template = new SnapshotTemplate(connection.GlobalsSourceName, _host, ["/globals.sql"], _tags);
        string[] args = ["--globals-only", "--no-password", "-l", connection.Database];
        return Start(_tools.PgDumpAll, args, connection, "globals.sql", template);
    }

    /// <summary>
    /// Reads the dump into <paramref name="repository"/> and writes its snapshot once the program
    /// exited 0. <paramref name="warn"/> gets a warning when pg_dump is older than the server
    /// (before the failure it explains is reported).
    /// </summary>
    public async Task<Snapshot> StoreAsync(Core.Repository.Repository repository, RunningDump dump, Action<string> warn, CancellationToken cancellationToken)
    {
        var runner = new BackupRunner(repository);
        using var killOnCancel = dump.Process.KillOnCancel(cancellationToken);
        var head = new HeadRecordingStream(dump.Output, PgDumpHeader.Length);
        try
        {
            var snapshot = await runner.BackupStreamAsync(head, dump.FileName,
                c => dump.Process.EnsureSuccessAsync($"{dump.Template.Source}: dump failed, no snapshot was written", c),
                dump.Template, cancellationToken).ConfigureAwait(false);
            if (VersionWarning(dump, PgDumpHeader.Parse(head.Head)) is { } warning)
            {
                warn(warning);
            }
            return snapshot;
        }
        catch (Core.Errors.OffsiteException e) when (e.Kind == Core.Errors.ErrorKind.SourceFailed)
        {
            // A dump that failed may have failed because of the versions (pg_dump refuses newer
            // servers); its header, if any, says which, otherwise the programs are asked.
            var (server, dumper) = PgDumpHeader.Parse(head.Head);
            string? warning = server is not null && dumper is not null
                ? VersionWarning(dump, (server, dumper))
                : await AskVersionsAsync(dump, cancellationToken).ConfigureAwait(false);
            if (warning is not null)
            {
                warn(warning);
            }
            throw;
        }
    }

    private static RunningDump Start(string program, IReadOnlyList<string> args, PgConnection connection, string name, SnapshotTemplate template) =>
        new(PgProcess.Start(program, args, connection), program, connection, name, template);

    private static string? VersionWarning(RunningDump dump, (string? Server, string? Dumper) versions) =>
        OlderThanServer(dump, PgDumpHeader.Major(versions.Dumper), PgDumpHeader.Major(versions.Server));

    private static string? OlderThanServer(RunningDump dump, int? clientMajor, int? serverMajor) =>
        clientMajor is int client && serverMajor is int major && client < major
            ? $"{Path.GetFileName(dump.Program)} {client} is older than the server of {dump.Connection.SourceName} (PostgreSQL {major}); "
                + $"it may refuse to dump or miss newer objects: install the PostgreSQL {major} client programs or pass --pg-bin DIR"
            : null;

    /// <summary>Asks the dump program and the server for their versions (only after a failure without a header).</summary>
    private async Task<string?> AskVersionsAsync(RunningDump dump, CancellationToken cancellationToken)
    {
        try
        {
            int? client = await _tools.MajorVersionAsync(dump.Program, cancellationToken).ConfigureAwait(false);
            var (server, _) = await _catalog.TryServerMajorAsync(dump.Connection, cancellationToken).ConfigureAwait(false);
            return OlderThanServer(dump, client, server);
        }
        catch (Core.Errors.OffsiteException e) when (e.Kind == Core.Errors.ErrorKind.SourceFailed)
        {
            // The dump's own failure is what gets reported; a check that cannot run adds nothing to it.
            return null;
        }
    }
}
