using Offsite.App.Retention;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;
using Offsite.Core.Storage;

namespace Offsite.App.Snapshots;

/// <summary>What `tag` does to each snapshot's tags: replace them all (<see cref="Set"/>), or add and remove some.</summary>
public sealed record TagChange(IReadOnlyList<string> Add, IReadOnlyList<string> Remove, IReadOnlyList<string>? Set)
{
    public void Validate()
    {
        if (Set is null && Add.Count == 0 && Remove.Count == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, "tag: say what to change with --add, --remove or --set");
        }
        if (Set is not null && (Add.Count > 0 || Remove.Count > 0))
        {
            throw new OffsiteException(ErrorKind.Usage, "tag: --set replaces every tag and cannot be combined with --add or --remove");
        }
        if ((Set ?? []).Concat(Add).Concat(Remove).Any(string.IsNullOrWhiteSpace))
        {
            throw new OffsiteException(ErrorKind.Usage, "tag: a tag cannot be empty");
        }
    }

    public List<string> Apply(IReadOnlyList<string> tags)
    {
        var result = (Set ?? tags).Distinct(StringComparer.Ordinal).ToList();
        result.AddRange(Add.Where(t => !result.Contains(t)).Distinct(StringComparer.Ordinal));
        result.RemoveAll(Remove.Contains);
        return result;
    }
}

/// <summary>One snapshot `tag` looked at: its new object when the tags changed, null when they did not.</summary>
public sealed record Retagged(Snapshot Old, Snapshot? New);

/// <summary>
/// Changes snapshots' tags. A snapshot object is immutable and named by its bytes, so a changed one is
/// stored as a new object (same tree, time, host and everything else) and the old object is deleted only
/// after the new one is stored: a failure in between leaves both, never neither. Runs under the prune
/// lock, like every command that deletes, so a prune never sees the snapshot missing. Snapshots under
/// Object Lock are refused before anything is written (the old object could not be deleted).
/// </summary>
public static class SnapshotTagger
{
    public static async Task<IReadOnlyList<Retagged>> RunAsync(Core.Repository.Repository repo, IReadOnlyList<Snapshot> snapshots, TagChange change,
        int processId, CancellationToken ct)
    {
        change.Validate();
        var changing = snapshots.Where(s => !change.Apply(s.Tags).SequenceEqual(s.Tags, StringComparer.Ordinal)).ToList();
        await RefuseLockedAsync(repo, changing, ct).ConfigureAwait(false);
        var results = snapshots.Where(s => !changing.Contains(s)).Select(s => new Retagged(s, null)).ToList();
        if (changing.Count == 0)
        {
            return results;
        }
        await using var held = await RetentionService.AcquireAsync(repo, processId, ct).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, held.LostToken);
        foreach (var old in changing)
        {
            var updated = Snapshot.Parse(old.Serialize(), "");
            updated.Tags = change.Apply(old.Tags);
            await repo.SaveSnapshotAsync(updated, linked.Token).ConfigureAwait(false);
            try
            {
                await repo.Storage.DeleteAsync(ObjectKeys.Snapshot(old.Id), linked.Token).ConfigureAwait(false);
            }
            catch (StorageException e)
            {
                throw new OffsiteException(ErrorKind.Io,
                    $"stored snapshot {updated.Id[..8]} with the new tags, but could not delete the old one, {old.Id[..8]} ({e.Message}): both are listed now; " +
                    $"delete {ObjectKeys.Snapshot(old.Id)} with credentials that may delete", e);
            }
            results.Add(new Retagged(old, updated));
        }
        return results.OrderBy(r => r.Old.Time).ThenBy(r => r.Old.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>A snapshot object under Object Lock cannot be deleted: retagging it would leave two snapshots.</summary>
    private static async Task RefuseLockedAsync(Core.Repository.Repository repo, IReadOnlyList<Snapshot> changing, CancellationToken ct)
    {
        if (ObjectRetention.Of(repo.Storage) is not { } retention)
        {
            return;
        }
        var now = repo.Runtime.Clock.GetUtcNow();
        foreach (var s in changing)
        {
            if (await retention.GetRetainUntilAsync(ObjectKeys.Snapshot(s.Id), ct).ConfigureAwait(false) is { } until && until > now)
            {
                throw new OffsiteException(ErrorKind.Locked,
                    $"snapshot {s.Id[..8]} is under Object Lock until {until:u}: tags are part of the snapshot object, and changing them " +
                    "means replacing that object, which the lock forbids until then; nothing was changed");
            }
        }
    }
}
