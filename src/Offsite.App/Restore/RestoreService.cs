using Offsite.App.Snapshots;

namespace Offsite.App.Restore;

/// <summary>Finds the snapshot a user named and restores it into a target.</summary>
public static class RestoreService
{
    public static async Task<(Core.Snapshots.Snapshot Snapshot, RestoreReport Report)> RestoreAsync(
        Core.Repository.Repository repo, string reference, SnapshotFilter filter, IRestoreTarget target, CancellationToken ct)
    {
        var snapshot = await SnapshotQuery.FindAsync(repo, reference, filter, ct).ConfigureAwait(false);
        await repo.LoadIndexAsync(ct).ConfigureAwait(false);
        var report = await target.RestoreAsync(repo, snapshot, ct).ConfigureAwait(false);
        return (snapshot, report);
    }
}
