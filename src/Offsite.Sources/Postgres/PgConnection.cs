using System.Globalization;
using Offsite.Core.Errors;

namespace Offsite.Sources.Postgres;

/// <summary>
/// A <c>postgres://user:password@host:port/db?param=value</c> URL, turned into libpq environment
/// variables for the child processes (pg_dump, pg_restore, psql). Nothing from the URL is ever put
/// on a command line: a password goes only into the child's PGPASSWORD, so it never shows in a
/// process list; what the URL leaves out is left to libpq (PG* variables, ~/.pgpass, services).
/// </summary>
public sealed class PgConnection
{
    private static readonly Dictionary<string, string> ParameterEnv = new(StringComparer.Ordinal)
    {
        ["host"] = "PGHOST", ["hostaddr"] = "PGHOSTADDR", ["port"] = "PGPORT", ["user"] = "PGUSER",
        ["dbname"] = "PGDATABASE", ["password"] = "PGPASSWORD", ["passfile"] = "PGPASSFILE",
        ["service"] = "PGSERVICE", ["options"] = "PGOPTIONS", ["application_name"] = "PGAPPNAME",
        ["connect_timeout"] = "PGCONNECT_TIMEOUT", ["sslmode"] = "PGSSLMODE", ["sslcert"] = "PGSSLCERT",
        ["sslkey"] = "PGSSLKEY", ["sslrootcert"] = "PGSSLROOTCERT", ["sslcrl"] = "PGSSLCRL",
        ["gssencmode"] = "PGGSSENCMODE", ["channel_binding"] = "PGCHANNELBINDING",
        ["target_session_attrs"] = "PGTARGETSESSIONATTRS", ["krbsrvname"] = "PGKRBSRVNAME",
    };

    private readonly Dictionary<string, string> _env;

    private PgConnection(Dictionary<string, string> env) => _env = env;

    /// <summary>Variables set for every child process (on top of the inherited environment).</summary>
    public IReadOnlyDictionary<string, string> Environment => _env;

    /// <summary>The database named by the URL, or libpq's default (PGDATABASE, else the user name).</summary>
    public string Database => Effective("PGDATABASE") ?? Effective("PGUSER") ?? System.Environment.UserName;

    public string Host => Effective("PGHOST") ?? "localhost";

    public int Port => int.TryParse(Effective("PGPORT"), NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : 5432;

    /// <summary>Names server and database in snapshots: <c>pg:host:port/db</c>.</summary>
    public string SourceName => $"pg:{Host}:{Port}/{Database}";

    /// <summary>The server's globals (roles, tablespaces): <c>pg:host:port/globals</c>.</summary>
    public string GlobalsSourceName => $"pg:{Host}:{Port}/globals";

    /// <summary>For messages: never shows a password.</summary>
    public string Display => $"postgres://{(Effective("PGUSER") is { } u ? u + "@" : "")}{Host}:{Port}/{Database}";

    public static bool IsUrl(string text) =>
        text.StartsWith("postgres://", StringComparison.Ordinal) || text.StartsWith("postgresql://", StringComparison.Ordinal);

    /// <summary>The same server and credentials, another database.</summary>
    public PgConnection WithDatabase(string database) => new(new Dictionary<string, string>(_env, StringComparer.Ordinal) { ["PGDATABASE"] = database });

    public static PgConnection Parse(string url)
    {
        if (!IsUrl(url))
        {
            throw new OffsiteException(ErrorKind.Usage, "a PostgreSQL URL starts with postgres:// or postgresql://");
        }
        string rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        string query = "";
        int q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string authority = slash >= 0 ? rest[..slash] : rest;
        string path = slash >= 0 ? rest[(slash + 1)..] : "";
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            string userInfo = authority[..at];
            authority = authority[(at + 1)..];
            int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            SetDecoded(env, "PGUSER", colon >= 0 ? userInfo[..colon] : userInfo);
            if (colon >= 0)
            {
                SetDecoded(env, "PGPASSWORD", userInfo[(colon + 1)..]);
            }
        }
        ParseHostPort(authority, env);
        SetDecoded(env, "PGDATABASE", path);
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString(eq >= 0 ? pair[..eq] : pair);
            string value = eq >= 0 ? pair[(eq + 1)..] : "";
            if (!ParameterEnv.TryGetValue(key, out string? variable))
            {
                throw new OffsiteException(ErrorKind.Usage, $"unsupported connection parameter '{key}' in a PostgreSQL URL (supported: {string.Join(", ", ParameterEnv.Keys)})");
            }
            SetDecoded(env, variable, value);
        }
        if (env.TryGetValue("PGPORT", out string? port) && !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new OffsiteException(ErrorKind.Usage, $"bad port '{port}' in a PostgreSQL URL");
        }
        if (env.TryGetValue("PGHOST", out string? host) && host.Contains(',', StringComparison.Ordinal))
        {
            throw new OffsiteException(ErrorKind.Usage, "several hosts in one PostgreSQL URL are not supported: give one URL per server");
        }
        return new PgConnection(env);
    }

    private static void ParseHostPort(string authority, Dictionary<string, string> env)
    {
        if (authority.Length == 0)
        {
            return;
        }
        string host = authority;
        string? port = null;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new OffsiteException(ErrorKind.Usage, "unterminated [IPv6 address] in a PostgreSQL URL");
            }
            host = authority[1..close];
            if (close + 1 < authority.Length && authority[close + 1] == ':')
            {
                port = authority[(close + 2)..];
            }
        }
        else
        {
            int colon = authority.LastIndexOf(':');
            if (colon >= 0)
            {
                host = authority[..colon];
                port = authority[(colon + 1)..];
            }
        }
        SetDecoded(env, "PGHOST", host);
        if (port is not null)
        {
            SetDecoded(env, "PGPORT", port);
        }
    }

    private static void SetDecoded(Dictionary<string, string> env, string variable, string raw)
    {
        if (raw.Length > 0)
        {
            env[variable] = Uri.UnescapeDataString(raw);
        }
    }

    private string? Effective(string variable) =>
        _env.TryGetValue(variable, out string? v) ? v : (System.Environment.GetEnvironmentVariable(variable) is { Length: > 0 } e ? e : null);
}
