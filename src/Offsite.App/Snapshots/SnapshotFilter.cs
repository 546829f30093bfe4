namespace Offsite.App.Snapshots;

/// <summary>The filters that pick <c>latest</c> and narrow listings: source, host, tags (all must match).</summary>
public sealed record SnapshotFilter(string? Source = null, string? Host = null, IReadOnlyList<string>? Tags = null)
{
    public static SnapshotFilter None { get; } = new();

    public Core.Snapshots.SnapshotFinder.Filter ToCore() => new(Source, Host, Tags is { Count: > 0 } t ? t.ToArray() : null);
}
