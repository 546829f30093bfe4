using System.Globalization;
using Offsite.Core.Errors;

namespace Offsite.Sources.Postgres;

/// <summary>
/// The few catalog questions and statements Offsite needs, asked through psql so that libpq's
/// whole configuration (PG* variables, pgpass, services, SSL) applies exactly as for pg_dump.
/// Names travel as psql variables (<c>:'name'</c>, <c>:"name"</c>), never spliced into SQL.
/// </summary>
public sealed class PgCatalog
{
    /// <summary>Ordinary tables (partitions included, their parents not) outside the system schemas.</summary>
    private const string Tables = """
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
        """;

    /// <summary><see cref="Tables"/> that no extension owns: what makes a database "not empty".</summary>
    private const string UserTables = Tables + """
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        """;

    private readonly PgTools _tools;

    public PgCatalog(PgTools tools) => _tools = tools;

    /// <summary>The server's major version, or null when the server cannot be asked (pg_dump will then say why).</summary>
    public async Task<(int? Major, string Error)> TryServerMajorAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        var r = await QueryRawAsync(connection, "SELECT current_setting('server_version_num')::int / 10000;", [], cancellationToken).ConfigureAwait(false);
        return r.Ok && int.TryParse(r.Stdout.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int major)
            ? (major, "")
            : (null, PgProcess.Describe(r.Stderr));
    }

    /// <summary>Databases that accept connections, templates excluded.</summary>
    public async Task<IReadOnlyList<string>> ListDatabasesAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        string output = await QueryAsync(connection, "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname;", [], cancellationToken).ConfigureAwait(false);
        return Lines(output);
    }

    public async Task<bool> DatabaseExistsAsync(PgConnection server, string name, CancellationToken cancellationToken)
    {
        string output = await QueryAsync(server, "SELECT 1 FROM pg_catalog.pg_database WHERE datname = :'name';", [("name", name)], cancellationToken).ConfigureAwait(false);
        return output.Trim() == "1";
    }

    public Task CreateDatabaseAsync(PgConnection server, string name, CancellationToken cancellationToken) =>
        QueryAsync(server, "CREATE DATABASE :\"name\" TEMPLATE template0;", [("name", name)], cancellationToken);

    public Task DropDatabaseAsync(PgConnection server, string name, CancellationToken cancellationToken) =>
        QueryAsync(server, "DROP DATABASE :\"name\";", [("name", name)], cancellationToken);

    /// <summary>
    /// Drops a database other sessions may be using (a preview app connected to a branch database):
    /// PostgreSQL 13+ ends them (<c>WITH (FORCE)</c>); older servers refuse while they are connected.
    /// Returns how many other sessions were connected just before.
    /// </summary>
    public async Task<int> DropDatabaseForcedAsync(PgConnection server, string name, CancellationToken cancellationToken)
    {
        string sessions = await QueryAsync(server,
            "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = :'name' AND pid <> pg_backend_pid();", [("name", name)], cancellationToken).ConfigureAwait(false);
        var (major, _) = await TryServerMajorAsync(server, cancellationToken).ConfigureAwait(false);
        string force = major >= 13 ? " WITH (FORCE)" : "";
        await QueryAsync(server, $"DROP DATABASE :\"name\"{force};", [("name", name)], cancellationToken).ConfigureAwait(false);
        return int.Parse(sessions.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>How many user tables (see <see cref="UserTables"/>) the connection's database has.</summary>
    public async Task<long> UserTableCountAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        string output = await QueryAsync(connection, $"SELECT count(*) {UserTables};", [], cancellationToken).ConfigureAwait(false);
        return long.Parse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>Exact row count of every table (extension configuration tables too: pg_dump dumps their rows), keyed by its qualified name as pg_dump writes it.</summary>
    public async Task<SortedDictionary<string, long>> TableRowCountsAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT format('%I.%I', n.nspname, c.relname),
                   (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
            {Tables} ORDER BY 1;
            """;
        string output = await QueryAsync(connection, sql, [], cancellationToken).ConfigureAwait(false);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in Lines(output))
        {
            int tab = line.LastIndexOf('\t');
            counts[line[..tab]] = long.Parse(line[(tab + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        return counts;
    }

    /// <summary>Runs SQL; a failure is an error quoting psql's own message.</summary>
    public async Task<string> QueryAsync(PgConnection connection, string sql, IEnumerable<(string Name, string Value)> variables, CancellationToken cancellationToken)
    {
        var r = await QueryRawAsync(connection, sql, variables, cancellationToken).ConfigureAwait(false);
        if (!r.Ok)
        {
            throw new OffsiteException(ErrorKind.SourceFailed, $"{connection.Display}: psql exited with code {r.ExitCode}: {PgProcess.Describe(r.Stderr)}");
        }
        return r.Stdout;
    }

    private Task<PgResult> QueryRawAsync(PgConnection connection, string sql, IEnumerable<(string Name, string Value)> variables, CancellationToken cancellationToken)
    {
        var args = new List<string> { "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1" };
        foreach (var (name, value) in variables)
        {
            args.Add("-v");
            args.Add($"{name}={value}");
        }
        args.Add("-f");
        args.Add("-");
        return PgProcess.RunAsync(_tools.Psql, args, connection, cancellationToken, stdin: sql + "\n");
    }

    private static List<string> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
}
