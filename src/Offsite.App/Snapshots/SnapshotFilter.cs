using Offsite.Sources.Postgres;

namespace Offsite.App.Snapshots;

/// <summary>The filters that pick <c>latest</c> and narrow listings: source, host, tags (all must match).</summary>
public sealed record SnapshotFilter(string? Source = null, string? Host = null, IReadOnlyList<string>? Tags = null)
{
    public static SnapshotFilter None { get; } = new();

    public Core.Snapshots.SnapshotFinder.Filter ToCore() => new(SnapshotSourceName(Source), Host, Tags is { Count: > 0 } t ? t.ToArray() : null);

    /// <summary>
    /// The source name snapshots carry for what the user typed: a PostgreSQL URL names its snapshots
    /// <c>pg:host:port/db</c> (user, password and parameters are not part of it), so
    /// <c>--source postgres://user@host:5432/app</c> finds the same snapshots as <c>--source pg:host:5432/app</c>.
    /// </summary>
    public static string? SnapshotSourceName(string? source) =>
        source is not null && PgConnection.IsUrl(source) ? PgConnection.Parse(source).SourceName : source;
}
