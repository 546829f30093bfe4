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

    /// <summary>
    /// The snapshots a command acts on: those named by <paramref name="references"/> (ids, prefixes, <c>latest</c>;
    /// each must exist), or when none is named every snapshot the filter matches. Oldest first, each once.
    /// </summary>
    public static async Task<IReadOnlyList<Snapshot>> SelectAsync(Core.Repository.Repository repo, IReadOnlyList<string> references, SnapshotFilter filter, CancellationToken ct)
    {
        if (references.Count == 0)
        {
            return await ListAsync(repo, filter, ct).ConfigureAwait(false);
        }
        var chosen = new List<Snapshot>();
        foreach (string reference in references)
        {
            var snapshot = await FindAsync(repo, reference, filter, ct).ConfigureAwait(false);
            if (!chosen.Any(s => s.Id == snapshot.Id)) chosen.Add(snapshot);
        }
        return chosen.OrderBy(s => s.Time).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
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
        if (reference != "latest" && !valid.Any(s => s.Id.StartsWith(reference, StringComparison.Ordinal))
            && repo.Damaged.FindSnapshot(reference) is { } damaged)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{damaged.Reason}; this snapshot cannot be read (the others can)");
        }
        if (reference != "latest" && !valid.Any(s => s.Id.StartsWith(reference, StringComparison.Ordinal))
            && repo.Config.Retention is { } retention && SnapshotsHaveExpired(repo, all, valid))
        {
            // The bucket deletes expired snapshots itself: an id nobody can find is most likely one of them.
            throw new OffsiteException(ErrorKind.NotFound,
                $"no snapshot with id {reference}: this repository's lifecycle retention keeps snapshots valid for {retention.ExpireDays - retention.RefreshDays} days " +
                $"(the bucket deletes them after {retention.ExpireDays}), and older snapshots have already expired; if {reference} is older than that, it has expired and its data is gone. `offsite snapshots` lists those that remain");
        }
        return SnapshotFinder.Find(valid, reference, filter.ToCore());
    }

    /// <summary>
    /// True when snapshots are known to have expired: some listed ones are past their validity, or the
    /// repository is older than the lifecycle expiry (so the bucket has deleted whatever was written first).
    /// </summary>
    private static bool SnapshotsHaveExpired(Core.Repository.Repository repo, IReadOnlyList<Snapshot> all, IReadOnlyList<Snapshot> valid) =>
        valid.Count < all.Count
        || (repo.Config.Retention is { } retention && repo.Config.Created < repo.Runtime.Clock.GetUtcNow() - retention.SnapshotValidity);
}
