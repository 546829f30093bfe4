using System.Text;
using System.Text.RegularExpressions;

namespace Offsite.Sources.Tests.Support;

/// <summary>
/// The test PostgreSQL server named by OFFSITE_TEST_PG (<c>host=… port=… user=…</c>, from
/// scripts/peers.sh env) and SQL helpers through psql.
/// </summary>
public static partial class PgServer
{
    public const string Variable = "OFFSITE_TEST_PG";

    private static readonly Lazy<Dictionary<string, string>> Settings = new(() =>
    {
        string conninfo = Environment.GetEnvironmentVariable(Variable) ?? throw new InvalidOperationException($"{Variable} is not set");
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in KeyValue().Matches(conninfo))
        {
            d[m.Groups[1].Value] = m.Groups[2].Value;
        }
        return d;
    });

    public static string Host => Settings.Value.GetValueOrDefault("host", "127.0.0.1");
    public static string Port => Settings.Value.GetValueOrDefault("port", "5432");
    public static string User => Settings.Value.GetValueOrDefault("user", "postgres");

    public static string Url(string database, string? user = null) => $"postgres://{user ?? User}@{Host}:{Port}/{database}";

    public static string SourceName(string database) => $"pg:{Host}:{Port}/{database}";

    /// <summary>libpq settings for psql/pgbench run by the tests.</summary>
    public static Dictionary<string, string?> Env(string database) => new(StringComparer.Ordinal)
    {
        ["PGHOST"] = Host, ["PGPORT"] = Port, ["PGUSER"] = User, ["PGDATABASE"] = database,
    };

    /// <summary>A fresh database name for one test (dropped first if left over).</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        string name = $"offsite_{prefix}_{Guid.NewGuid():N}"[..40];
        await SqlAsync("postgres", $"CREATE DATABASE {name};");
        return name;
    }

    public static Task DropDatabaseAsync(string name) => SqlAsync("postgres", $"DROP DATABASE IF EXISTS {name} WITH (FORCE);");

    public static async Task<bool> DatabaseExistsAsync(string name) =>
        (await SqlAsync("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{name}';")).Trim() == "1";

    /// <summary>Runs SQL with psql (ON_ERROR_STOP) and returns unaligned, tuples-only output; fails the test on error.</summary>
    public static async Task<string> SqlAsync(string database, string sql)
    {
        var r = await ProcRunner.RunAsync("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"], Env(database), stdin: Encoding.UTF8.GetBytes(sql));
        Assert.True(r.ExitCode == 0, $"psql on {database} failed (is the {Variable} server up?):\n{sql}\n{r}");
        return r.Stdout;
    }

    /// <summary>Row count and content digest of every user table, by qualified name: equal for equal data regardless of row order.</summary>
    public static async Task<SortedDictionary<string, string>> FingerprintAsync(string database)
    {
        string tables = await SqlAsync(database, """
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast' ORDER BY 1;
            """);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string table in tables.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            result[table] = (await SqlAsync(database,
                $"SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t;")).Trim();
        }
        return result;
    }

    [GeneratedRegex(@"(\w+)=(\S+)")]
    private static partial Regex KeyValue();
}
