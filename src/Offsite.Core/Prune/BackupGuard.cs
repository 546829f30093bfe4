using Offsite.Core.Errors;

namespace Offsite.Core.Prune;

/// <summary>
/// The backup's half of the prune protocol (docs/format.md, "What every backup does"): before loading the index it
/// reads <c>prune-state</c> and excludes every condemned pack (and forgets them from the pack log); before writing
/// the snapshot it reads the state again and refuses to commit if a prune that started meanwhile condemned a pack
/// this backup reused and may delete it before the snapshot is safely stored.
/// </summary>
public sealed class BackupGuard
{
    private readonly Repository.Repository _repo;
    private readonly TimeProvider _time;
    private readonly PruneState _atStart;

    private BackupGuard(Repository.Repository repo, TimeProvider time, PruneState atStart)
    {
        _repo = repo;
        _time = time;
        _atStart = atStart;
    }

    /// <summary>Reads the state and sets <see cref="Repository.Repository.ExcludedPacks"/>; call before loading the index.</summary>
    public static async Task<BackupGuard> BeginAsync(Repository.Repository repo, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(time);
        PruneState state;
        try
        {
            state = await PruneState.ReadAsync(repo.Storage, cancellationToken).ConfigureAwait(false);
        }
        catch (Storage.StorageException e) when (e is not Storage.ObjectNotFoundException)
        {
            throw new OffsiteException(ErrorKind.Io,
                $"cannot read {PruneState.Key} ({e.Message}); a backup must know which packs a prune may delete. " +
                "On a write-only host: allow GetObject on prune-state (offsite bucket setup --print shows the policy); a repository " +
                "created before prune-state existed gets it from one `offsite prune` run with the identity (S3 answers 403 for a missing object without list rights)", e);
        }
        if (state.ForgottenThrough > repo.Cache.PruneGeneration)
        {
            // Generations this host never saw were dropped from the state: any pack it remembers may be gone.
            repo.Cache.ClearPackLog();
        }
        repo.ExcludedPacks = state.CondemnedPacks();
        return new BackupGuard(repo, time, state);
    }

    /// <summary>Records that the pack log no longer names condemned packs; call after loading the index.</summary>
    public void Applied() => _repo.Cache.PruneGeneration = _atStart.Generation;

    /// <summary>
    /// Reads the state again. Returns the time by which the snapshot must be stored (a prune that starts after this
    /// check deletes nothing before check + its grace, at least <see cref="PruneState.MinimumGrace"/>), or throws when
    /// a prune that started during this backup condemned a pack it reused and its grace period leaves too little time.
    /// </summary>
    public async Task<DateTimeOffset> CheckCommitAsync(CancellationToken cancellationToken)
    {
        var now = await PruneState.ReadAsync(_repo.Storage, cancellationToken).ConfigureAwait(false);
        DateTimeOffset at = _time.GetUtcNow();
        DateTimeOffset deadline = at + PruneState.SnapshotDeadline;
        if (now.Generation == _atStart.Generation)
        {
            return deadline;
        }
        var reused = _repo.ReusedPackIds;
        foreach (var g in now.Generations.Where(g => g.Generation > _atStart.Generation))
        {
            bool touched = g.Packs.Any(reused.Contains) || g.Deleted.Any(reused.Contains);
            if (!touched)
            {
                continue;
            }
            TimeSpan margin = (g.DeleteAfter - g.Condemned) / 4;
            if (g.Done is not null || g.Deleted.Count > 0 || at + margin >= g.DeleteAfter)
            {
                throw new OffsiteException(ErrorKind.Locked,
                    $"a prune (generation {g.Generation}) that started during this backup removes data the backup reused; no snapshot was written. " +
                    "Run the backup again: it uploads that data anew (the packs written so far are reused)");
            }
            var limit = at + margin;
            deadline = deadline < limit ? deadline : limit;
        }
        return deadline;
    }
}
