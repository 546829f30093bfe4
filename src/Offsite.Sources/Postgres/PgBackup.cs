using Offsite.Core.Backup;
using Offsite.Core.Sources;

namespace Offsite.Sources.Postgres;

/// <summary>
/// Streams pg_dump (or pg_dumpall --globals-only) straight into the repository: no temporary file,
/// memory bounded by the chunker. A dump is started first (<see cref="StartDatabase"/>) and stored
/// second (<see cref="StoreAsync"/>), so callers can open the repository while pg_dump gets going.
/// The dump program's exit status is checked after its output ends and before the snapshot is
/// written, so a failed dump never leaves a snapshot. <see cref="PgStreamSource"/> is how the application uses it.
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

    /// <summary>The file name a database's dump gets in its snapshot (<c>app.dump</c>, <c>app.sql</c>).</summary>
    public string FileNameFor(string database) => _format.FileName(database);

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
    /// The dump as a source stream: its data, then (once pg_dump exited) the verdict. A warning is
    /// added when pg_dump is older than the server (before the failure it explains is reported).
    /// </summary>
    internal SourceStream Stream(RunningDump dump, CancellationToken cancellationToken) => new DumpStream(this, dump, cancellationToken);

    private sealed class DumpStream : SourceStream
    {
        private readonly PgBackup _backup;
        private readonly RunningDump _dump;
        private readonly HeadRecordingStream _head;
        private readonly CancellationTokenRegistration _killOnCancel;
        private readonly List<string> _warnings = new();

        public DumpStream(PgBackup backup, RunningDump dump, CancellationToken cancellationToken)
        {
            _backup = backup;
            _dump = dump;
            _head = new HeadRecordingStream(dump.Output, PgDumpHeader.Length);
            _killOnCancel = dump.Process.KillOnCancel(cancellationToken);
        }

        public override Stream Content => _head;

        public override IReadOnlyList<string> Warnings => _warnings;

        public override async Task CompleteAsync(CancellationToken cancellationToken)
        {
            try
            {
                await _dump.Process.EnsureSuccessAsync($"{_dump.Template.Source}: dump failed, no snapshot was written", cancellationToken).ConfigureAwait(false);
            }
            catch (Core.Errors.OffsiteException e) when (e.Kind == Core.Errors.ErrorKind.SourceFailed)
            {
                // A dump that failed may have failed because of the versions (pg_dump refuses newer
                // servers); its header, if any, says which, otherwise the programs are asked.
                var (server, dumper) = PgDumpHeader.Parse(_head.Head);
                string? failed = server is not null && dumper is not null
                    ? VersionWarning(_dump, (server, dumper))
                    : await _backup.AskVersionsAsync(_dump, cancellationToken).ConfigureAwait(false);
                if (failed is not null) _warnings.Add(failed);
                throw;
            }
            if (VersionWarning(_dump, PgDumpHeader.Parse(_head.Head)) is { } warning)
            {
                _warnings.Add(warning);
            }
        }

        protected override async ValueTask DisposeAsyncCore()
        {
            await _killOnCancel.DisposeAsync().ConfigureAwait(false);
            await _dump.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static RunningDump Start(string program, IReadOnlyList<string> args, PgConnection connection, string name, SnapshotTemplate template) =>
        new(PgProcess.Start(program, args, connection), program, connection, name, template);

    private static string? VersionWarning(RunningDump dump, (string? Server, string? Dumper) versions) =>
        OlderThanServer(dump, PgDumpHeader.Major(versions.Dumper), PgDumpHeader.Major(versions.Server));

    private static string? OlderThanServer(RunningDump dump, int? clientMajor, int? serverMajor) =>
        clientMajor is int client && serverMajor is int major && client < major
            ? $"{Path.GetFileName(dump.Program)} {client} is older than the server of {dump.Connection.SourceName} (PostgreSQL {major}); "
                + $"it may refuse to dump or miss newer objects: install the PostgreSQL {major} client programs or name their directory (--pg-bin DIR, or pg_bin in the config)"
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
