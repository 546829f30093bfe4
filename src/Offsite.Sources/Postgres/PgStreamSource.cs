using Offsite.Core.Sources;

namespace Offsite.Sources.Postgres;

/// <summary>
/// PostgreSQL as a stream source: one pg_dump stream per database (source <c>pg:host:port/db</c>)
/// and, when asked, one <c>pg_dumpall --globals-only</c> stream per server (roles, tablespaces).
/// </summary>
public sealed class PgStreamSource : IStreamSource
{
    private readonly IReadOnlyList<PgConnection> _connections;
    private readonly PgTools _tools;
    private readonly PgBackup _backup;
    private readonly bool _allDatabases;
    private readonly bool _globals;

    public PgStreamSource(IReadOnlyList<PgConnection> connections, PgTools tools, PgDumpFormat format, bool allDatabases, bool globals)
    {
        _connections = connections;
        _tools = tools;
        _backup = new PgBackup(tools, format, host: "", tags: []);
        _allDatabases = allDatabases;
        _globals = globals || allDatabases;
    }

    public async Task<IReadOnlyList<IStreamItem>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<IStreamItem>();
        foreach (var connection in _connections)
        {
            if (_globals)
            {
                items.Add(new Item(connection.GlobalsSourceName, "globals.sql", () => _backup.StartGlobals(connection), _backup));
            }
            var databases = _allDatabases
                ? await new PgCatalog(_tools).ListDatabasesAsync(connection, cancellationToken).ConfigureAwait(false)
                : [connection.Database];
            foreach (string db in databases)
            {
                var c = connection.WithDatabase(db);
                items.Add(new Item(c.SourceName, _backup.FileNameFor(db), () => _backup.StartDatabase(c), _backup));
            }
        }
        return items;
    }

    private sealed class Item(string sourceName, string fileName, Func<RunningDump> start, PgBackup backup) : IStreamItem
    {
        public string SourceName => sourceName;
        public string FileName => fileName;
        public IReadOnlyList<string> Tags { get; } = [PgBackup.Tag];

        public Task<SourceStream> OpenAsync(CancellationToken cancellationToken) =>
            Task.FromResult(backup.Stream(start(), cancellationToken));
    }
}
