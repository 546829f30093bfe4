using Offsite.Core.Backup;
using Offsite.Core.Snapshots;

namespace Offsite.Sources.Postgres;

/// <summary>
/// Streams pg_dump (or pg_dumpall --globals-only) straight into the repository: no temporary file,
/// memory bounded by the chunker. The dump program's exit status is checked after its output ends
/// and before the snapshot is written, so a failed dump never leaves a snapshot.
/// </summary>
public sealed class PgBackup
{
    public const string Tag = "postgres";

    private readonly Core.Repository.Repository _repo;
    private readonly PgTools _tools;
    private readonly PgCatalog _catalog;
    private readonly PgDumpFormat _format;
    private readonly string _host;
    private readonly IReadOnlyList<string> _tags;
    private readonly Action<string> _warn;
    private readonly Dictionary<string, int?> _clientMajor = new(StringComparer.Ordinal);

    public PgBackup(Core.Repository.Repository repository, PgTools tools, PgDumpFormat format, string host, IReadOnlyList<string> tags, Action<string> warn)
    {
        _warn = warn;
        _repo = repository;
        _tools = tools;
        _catalog = new PgCatalog(tools);
        _format = format;
        _host = host;
        _tags = tags.Contains(Tag) ? tags : [Tag, .. tags];
    }

    public async Task<Snapshot> BackupDatabaseAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        await CheckVersionAsync(connection, _tools.PgDump, cancellationToken).ConfigureAwait(false);
        string name = _format.FileName(connection.Database);
        var template = new SnapshotTemplate(connection.SourceName, _host, ["/" + name], _tags);
        return await DumpAsync(_tools.PgDump, [.. _format.PgDumpArguments(), "--no-password"], connection, name, template, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Roles and tablespaces (<c>pg_dumpall --globals-only</c>) as their own snapshot.</summary>
    public async Task<Snapshot> BackupGlobalsAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        await CheckVersionAsync(connection, _tools.PgDumpAll, cancellationToken).ConfigureAwait(false);
        var template = new SnapshotTemplate(connection.GlobalsSourceName, _host, ["/globals.sql"], _tags);
        var args = new List<string> { "--globals-only", "--no-password", "-l", connection.Database };
        return await DumpAsync(_tools.PgDumpAll, args, connection, "globals.sql", template, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Snapshot> DumpAsync(string program, IReadOnlyList<string> args, PgConnection connection, string name, SnapshotTemplate template, CancellationToken cancellationToken)
    {
        var runner = new BackupRunner(_repo);
        await using var dump = PgProcess.Start(program, args, connection);
        return await runner.BackupStreamAsync(dump.StandardOutput, name,
            c => dump.EnsureSuccessAsync($"{template.Source}: dump failed, no snapshot was written", c),
            template, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Warns when the dump program is older than the server (pg_dump refuses newer servers).</summary>
    private async Task CheckVersionAsync(PgConnection connection, string program, CancellationToken cancellationToken)
    {
        if (!_clientMajor.TryGetValue(program, out int? clientMajor))
        {
            clientMajor = await _tools.MajorVersionAsync(program, cancellationToken).ConfigureAwait(false);
            _clientMajor[program] = clientMajor;
        }
        var (server, _) = await _catalog.TryServerMajorAsync(connection, cancellationToken).ConfigureAwait(false);
        if (clientMajor is int client && server is int major && client < major)
        {
            _warn($"{Path.GetFileName(program)} {client} is older than the server of {connection.SourceName} (PostgreSQL {major}); "
                + $"it may refuse to dump or miss newer objects: install the PostgreSQL {major} client programs or pass --pg-bin DIR");
        }
    }
}
