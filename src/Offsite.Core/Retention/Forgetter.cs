using Offsite.Core.Repository;
using Offsite.Core.Snapshots;
using Offsite.Core.Storage;

namespace Offsite.Core.Retention;

/// <summary>One snapshot's fate in a forget run.</summary>
public sealed record ForgetDecision(Snapshot Snapshot, IReadOnlyList<string> Reasons)
{
    public bool Keep => Reasons.Count > 0;
}

/// <summary>The decisions for one group (host + source by default), newest first.</summary>
public sealed record ForgetGroup(string Key, IReadOnlyList<ForgetDecision> Decisions);

/// <summary>What forget decided and did.</summary>
public sealed class ForgetResult
{
    public List<ForgetGroup> Groups { get; } = new();
    /// <summary>Snapshots expired under lifecycle retention: not counted by any rule, left to the bucket.</summary>
    public List<Snapshot> Expired { get; } = new();
    /// <summary>Snapshots to remove whose Object Lock retention has not passed: kept, with the date they become deletable.</summary>
    public List<(Snapshot Snapshot, DateTimeOffset Until)> Locked { get; } = new();
    public int Removed { get; set; }
}

/// <summary>
/// Applies a retention policy per group and deletes the snapshot objects no rule keeps. Deleting a snapshot only
/// unreferences data; `prune` later frees it. Object Lock is respected: a locked snapshot is not deleted (on a
/// versioned bucket a DELETE would only hide it) and is reported with the date it becomes deletable.
/// </summary>
public static class Forgetter
{
    public static async Task<ForgetResult> RunAsync(Repository.Repository repo, RetentionPolicy policy, SnapshotGrouping grouping,
        SnapshotFinder.Filter filter, TimeZoneInfo zone, TimeProvider time, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(grouping);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(time);
        policy.Validate();
        DateTimeOffset now = time.GetUtcNow();
        var result = new ForgetResult();
        var all = (await repo.ListAllSnapshotsAsync(cancellationToken).ConfigureAwait(false)).Where(filter.Matches).ToList();
        result.Expired.AddRange(all.Where(repo.IsExpired));
        var byId = all.ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var group in all.Where(s => !repo.IsExpired(s)).GroupBy(grouping.KeyOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var decisions = RetentionPlanner.Apply(group.Select(s => new RetentionItem(s.Id, s.Time, s.Tags)), policy, now, zone);
            result.Groups.Add(new ForgetGroup(group.Key, decisions.Select(d => new ForgetDecision(byId[d.Item.Id], d.Reasons)).ToList()));
        }
        var remove = result.Groups.SelectMany(g => g.Decisions).Where(d => !d.Keep).Select(d => d.Snapshot).ToList();
        var retention = ObjectRetention.Of(repo.Storage);
        foreach (var s in remove)
        {
            string key = ObjectKeys.Snapshot(s.Id);
            if (retention is not null && await retention.GetRetainUntilAsync(key, cancellationToken).ConfigureAwait(false) is { } until && until > now)
            {
                result.Locked.Add((s, until));
                continue;
            }
            if (!dryRun)
            {
                await repo.Storage.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            }
            result.Removed++;
        }
        return result;
    }
}
