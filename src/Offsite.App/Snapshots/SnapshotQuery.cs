using Offsite.Core.Errors;
using Offsite.Core.Snapshots;

namespace Offsite.App.Snapshots;

/// <summary>
/// Finds snapshots as users name them (an id, a unique prefix, <c>latest</c> with filters), leaving
/// out those lifecycle retention has expired and saying so when the one asked for has expired.
/// </summary>
public static class SnapshotQuery
{
    public static async Task<IReadOnlyList<Snapshot>> ListAsync(Core.Repository.Repository repo, SnapshotFilter filter, CancellationToken ct)
    {
        var core = filter.ToCore();
        return (await repo.ListSnapshotsAsync(ct).ConfigureAwait(false)).Where(core.Matches).OrderBy(s => s.Time).ToList();
    }

    public static async Task<Snapshot> FindAsync(Core.Repository.Repository repo, string reference, SnapshotFilter filter, CancellationToken ct)
    {
        var all = await repo.ListAllSnapshotsAsync(ct).ConfigureAwait(false);
        var valid = all.Where(s => !repo.IsExpired(s)).ToList();
        if (reference != "latest" && valid.Count < all.Count
            && !valid.Any(s => s.Id.StartsWith(reference, StringComparison.Ordinal))
            && all.FirstOrDefault(s => s.Id.StartsWith(reference, StringComparison.Ordinal)) is { } expired)
        {
            throw new OffsiteException(ErrorKind.NotFound,
                $"snapshot {expired.Id[..8]} of {expired.Time:yyyy-MM-dd HH:mm} has expired under lifecycle retention: the bucket may already have deleted its data");
        }
        return SnapshotFinder.Find(valid, reference, filter.ToCore());
    }
}
