using Offsite.Core.Errors;
using Offsite.Core.Locking;
using Offsite.Core.Prune;
using Offsite.Core.Retention;
using Offsite.Core.Snapshots;

namespace Offsite.App.Retention;

/// <summary>Forget and prune as the CLI and the server run them: prune under the exclusive prune lock.</summary>
public static class RetentionService
{
    public static Task<ForgetResult> ForgetAsync(Core.Repository.Repository repo, RetentionPolicy policy, SnapshotGrouping grouping,
        SnapshotFinder.Filter filter, bool dryRun, CancellationToken ct)
    {
        policy.Validate();
        return Forgetter.RunAsync(repo, policy, grouping, filter, TimeZoneInfo.Local, repo.Runtime.Clock, dryRun, ct);
    }

    /// <summary>Runs a prune; a real one under the exclusive prune lock (kept alive while it runs).</summary>
    public static async Task<PruneReport> PruneAsync(Core.Repository.Repository repo, PruneOptions options, int processId, CancellationToken ct)
    {
        if (options.DryRun)
        {
            return await new Pruner(repo, options).RunAsync(ct).ConfigureAwait(false);
        }
        await using var held = await AcquireAsync(repo, processId, ct).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, held.LostToken);
        return await new Pruner(repo, options).RunAsync(linked.Token).ConfigureAwait(false);
    }

    /// <summary>Takes `locks/prune`; a holder is reported as <see cref="ErrorKind.Locked"/> (exit 11) with its expiry.</summary>
    public static async Task<RepositoryLock> AcquireAsync(Core.Repository.Repository repo, int processId, CancellationToken ct)
    {
        try
        {
            var held = await RepositoryLock.AcquireAsync(repo.Storage, "prune",
                new RepositoryLockOptions { Host = repo.Runtime.HostName, Pid = processId, Time = repo.Runtime.Clock }, ct).ConfigureAwait(false);
            held.StartKeepAlive();
            return held;
        }
        catch (RepositoryLockedException e)
        {
            throw new OffsiteException(ErrorKind.Locked, e.Message, e);
        }
    }
}
