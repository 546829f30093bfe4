using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Storage;

namespace Offsite.Core.Prune;

/// <summary>What `lock refresh` did.</summary>
public sealed class RetentionRefreshReport
{
    public int Checked { get; set; }
    public int Extended { get; set; }
    public DateTimeOffset Until { get; set; }
    /// <summary>The earliest retain-until date among the needed objects after the run.</summary>
    public DateTimeOffset? EarliestAfter { get; set; }
}

/// <summary>
/// Extends Object Lock retention on everything still needed — config, keys, the snapshots that exist, every index
/// object, and every pack holding a blob those snapshots use — when less than <c>refreshBefore</c> remains, so a
/// snapshot kept for years stays protected while the data no snapshot needs is allowed to become deletable.
/// </summary>
public static class RetentionRefresher
{
    public static async Task<RetentionRefreshReport> RunAsync(Repository.Repository repo, TimeSpan lockFor, TimeSpan refreshBefore, TimeProvider time, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(time);
        var retention = ObjectRetention.Of(repo.Storage)
            ?? throw new OffsiteException(ErrorKind.Usage, $"{repo.Storage.Location} has no Object Lock: nothing to refresh");
        if (lockFor <= TimeSpan.Zero || refreshBefore <= TimeSpan.Zero || refreshBefore > lockFor)
        {
            throw new OffsiteException(ErrorKind.Usage, "lock refresh needs a positive lock period and a refresh margin no longer than it");
        }
        var scan = await RepositoryScan.RunAsync(repo, progress, cancellationToken).ConfigureAwait(false);
        var keys = new List<string> { ObjectKeys.Config };
        await foreach (var info in repo.Storage.ListAsync(ObjectKeys.KeysPrefix, cancellationToken).ConfigureAwait(false))
        {
            keys.Add(info.Key);
        }
        keys.AddRange(scan.Snapshots.Select(s => ObjectKeys.Snapshot(s.Id)));
        keys.AddRange(scan.IndexObjects.Keys);
        keys.AddRange(scan.Packs.All.Where(p => p.Stored && p.UsedBlobs > 0).Select(p => ObjectKeys.Pack(p.Id)));

        DateTimeOffset now = time.GetUtcNow();
        var report = new RetentionRefreshReport { Until = now + lockFor };
        DateTimeOffset earliest = DateTimeOffset.MaxValue;
        var gate = new Lock();
        progress?.Report($"checking retention of {keys.Count} objects");
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (key, ct) =>
        {
            DateTimeOffset? until;
            try
            {
                until = await retention.GetRetainUntilAsync(key, ct).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException)
            {
                return; // removed since the scan (forget, lifecycle expiry)
            }
            bool extend = until is null || until < now + refreshBefore;
            if (extend)
            {
                await retention.ExtendRetentionAsync(key, report.Until, ct).ConfigureAwait(false);
            }
            lock (gate)
            {
                report.Checked++;
                if (extend) report.Extended++;
                DateTimeOffset after = extend ? report.Until : until!.Value;
                if (after < earliest) earliest = after;
            }
        }).ConfigureAwait(false);
        report.EarliestAfter = report.Checked > 0 ? earliest : null;
        return report;
    }
}
