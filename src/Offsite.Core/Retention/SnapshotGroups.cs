using Offsite.Core.Errors;
using Offsite.Core.Snapshots;

namespace Offsite.Core.Retention;

/// <summary>
/// Splits snapshots into the groups a retention policy is applied to separately (default: by host and source,
/// so one busy source cannot push another's history out).
/// </summary>
public sealed record SnapshotGrouping(bool Host, bool Source, bool Tags, bool Paths)
{
    public static SnapshotGrouping Default { get; } = new(true, true, false, false);

    /// <summary>Parses <c>host,source</c>, <c>host</c>, <c>source,tags</c>, <c>paths</c> or an empty string (one group).</summary>
    public static SnapshotGrouping Parse(string? text)
    {
        if (text is null)
        {
            return Default;
        }
        bool host = false, source = false, tags = false, paths = false;
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (part)
            {
                case "host": host = true; break;
                case "source": source = true; break;
                case "tags": tags = true; break;
                case "paths": paths = true; break;
                default: throw new OffsiteException(ErrorKind.Usage, $"--group-by: unknown field '{part}' (use host, source, tags, paths, comma-separated, or '' for one group)");
            }
        }
        return new SnapshotGrouping(host, source, tags, paths);
    }

    /// <summary>A readable key naming the group of <paramref name="s"/>.</summary>
    public string KeyOf(Snapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var parts = new List<string>();
        if (Host) parts.Add("host=" + s.Host);
        if (Source) parts.Add("source=" + s.Source);
        if (Tags) parts.Add("tags=" + string.Join(',', s.Tags.Order(StringComparer.Ordinal)));
        if (Paths) parts.Add("paths=" + string.Join(',', s.Paths.Order(StringComparer.Ordinal)));
        return parts.Count == 0 ? "(all)" : string.Join(' ', parts);
    }
}
