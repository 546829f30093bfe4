using Offsite.Core.Errors;

namespace Offsite.Core.Snapshots;

/// <summary>Resolves what a user types — an id, a unique id prefix, or <c>latest</c> — to one snapshot.</summary>
public static class SnapshotFinder
{
    public sealed record Filter(string? Source = null, string? Host = null, IReadOnlyList<string>? Tags = null)
    {
        public bool Matches(Snapshot s) =>
            (Source is null || s.Source == Source)
            && (Host is null || s.Host == Host)
            && (Tags is null || Tags.All(s.Tags.Contains));
    }

    public static Snapshot Find(IReadOnlyList<Snapshot> snapshots, string reference, Filter filter)
    {
        if (reference == "latest")
        {
            return snapshots.Where(filter.Matches).OrderBy(s => s.Time).LastOrDefault()
                ?? throw new OffsiteException(ErrorKind.NotFound, "no snapshot matches" + Describe(filter));
        }
        var matches = snapshots.Where(s => s.Id.StartsWith(reference, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new OffsiteException(ErrorKind.NotFound, $"no snapshot with id {reference}"),
            _ => throw new OffsiteException(ErrorKind.Usage, $"snapshot id {reference} is ambiguous ({matches.Count} snapshots); give more digits"),
        };
    }

    private static string Describe(Filter f)
    {
        var parts = new List<string>();
        if (f.Source is not null) parts.Add($"source '{f.Source}'");
        if (f.Host is not null) parts.Add($"host '{f.Host}'");
        if (f.Tags is { Count: > 0 }) parts.Add($"tags {string.Join(',', f.Tags)}");
        return parts.Count == 0 ? "" : " " + string.Join(", ", parts);
    }
}
