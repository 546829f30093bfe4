using Offsite.App.Config;
using Offsite.Core.Errors;
using Offsite.Sources.Postgres;

namespace Offsite.App.Sources.Postgres;

/// <summary><c>type: postgres</c>: pg_dump streamed per database (source <c>pg:host:port/db</c>).</summary>
public sealed class PostgresSourceOptions : SourceOptions
{
    [Help("postgres://user@host:port/db (password from PGPASSWORD, ~/.pgpass or PGPASSFILE)")]
    public string? Url { get; set; }
    public List<string>? Urls { get; set; }
    [Help("every database of the server, plus roles and tablespaces")]
    public bool AllDatabases { get; set; }
    [Help("roles and tablespaces (pg_dumpall --globals-only) as source pg:host:port/globals")]
    public bool Globals { get; set; }
    [Help("custom (default) or plain")]
    public string? Format { get; set; }
    [Help("directory of pg_dump, pg_dumpall, pg_restore and psql")]
    public string? PgBin { get; set; }

    public override SourcePlan Plan(SourceContext context)
    {
        var urls = new List<string>();
        if (Url is not null) urls.Add(Url);
        urls.AddRange(Urls ?? []);
        if (urls.Count == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, "a postgres source needs url or urls");
        }
        var format = Format is { } f ? PgDumpFormats.Parse(f) : PgDumpFormat.Custom;
        return SourcePlan.ForStreams(new PgStreamSource(urls.Select(PgConnection.Parse).ToList(), new PgTools(PgBin), format, AllDatabases, Globals));
    }
}
