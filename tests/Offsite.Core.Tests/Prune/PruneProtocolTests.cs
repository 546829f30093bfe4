using Offsite.Core.Prune;
using Offsite.Core.Storage;
using Offsite.TestSupport.Storage;

namespace Offsite.Core.Tests.Prune;

/// <summary>
/// The prune protocol of docs/format.md against its hazard: backups that take no lock, and a write-only host that
/// dedups against its own pack log. Every test ends with `check --read-data` of every snapshot that exists.
/// </summary>
public sealed class PruneProtocolTests
{
    [Fact]
    public async Task A_write_only_host_never_references_a_pack_a_prune_deleted()
    {
        await using var h = await PruneHarness.CreateAsync();
        h.ChangeSource("w");
        var first = await h.BackupAsync("w", writeOnly: true);
        h.ChangeSource("w", changed: 0); // nothing changes: the next backup would reuse every pack in its log
        await h.BackupAsync("w", writeOnly: true);
        await h.BackupAsync("w", writeOnly: true);

        // Forget everything but the newest, then make the newest unreferenced too (a different host keeps nothing of w).
        foreach (var key in h.Storage.Keys.Where(k => k.StartsWith("snapshots/", StringComparison.Ordinal)).ToList())
        {
            await h.Storage.DeleteAsync(key, default);
        }
        var mark = await h.PruneAsync();
        Assert.True(mark.CondemnedPacks > 0);
        h.Clock.Advance(PruneHarness.Grace + TimeSpan.FromSeconds(1));
        var sweep = await h.PruneAsync();
        Assert.Equal(mark.CondemnedPacks, sweep.DeletedPacks);
        Assert.DoesNotContain(h.Storage.Keys, k => k.StartsWith("packs/", StringComparison.Ordinal));

        // The host's log still names the deleted packs; prune-state tells it they are gone, so it uploads again.
        var again = await h.BackupAsync("w", writeOnly: true);
        Assert.NotNull(again);
        Assert.True(again!.Stats.NewBlobs > 0, "the write-only host re-uploads what prune deleted");
        Assert.NotNull(first);
        await h.CheckAsync();
    }

    [Fact]
    public async Task A_backup_that_reused_a_pack_condemned_meanwhile_commits_and_the_sweep_rescues_the_pack()
    {
        await using var h = await PruneHarness.CreateAsync();
        h.ChangeSource("w");
        await h.BackupAsync("w", writeOnly: true);
        h.ChangeSource("w", changed: 1);
        // While the second backup uploads its first pack, a janitor deletes every snapshot and marks (condemns) the
        // packs this backup is deduplicating against.
        var snapshot = await h.BackupAsync("w", writeOnly: true, s => s.Before(StorageOp.Put, "packs/", async () =>
        {
            foreach (var key in h.Storage.Keys.Where(k => k.StartsWith("snapshots/", StringComparison.Ordinal)).ToList())
            {
                await h.Storage.DeleteAsync(key, default);
            }
            Assert.True((await h.PruneAsync()).CondemnedPacks > 0);
        }));
        Assert.NotNull(snapshot); // committed well inside the grace period
        h.Clock.Advance(PruneHarness.Grace + TimeSpan.FromSeconds(1));
        var sweep = await h.PruneAsync();
        Assert.True(sweep.RescuedPacks > 0, "the sweep keeps the condemned packs the new snapshot uses");
        await h.CheckAsync();
    }

    [Fact]
    public async Task A_backup_whose_commit_would_come_too_close_to_the_deletion_refuses_and_writes_no_snapshot()
    {
        await using var h = await PruneHarness.CreateAsync();
        h.ChangeSource("a");
        await h.BackupAsync("a", writeOnly: false);
        h.ChangeSource("a", changed: 1);
        int before = h.SnapshotCount;
        var snapshot = await h.BackupAsync("a", writeOnly: false, s => s.Before(StorageOp.Put, "index/", async () =>
        {
            foreach (var key in h.Storage.Keys.Where(k => k.StartsWith("snapshots/", StringComparison.Ordinal)).ToList())
            {
                await h.Storage.DeleteAsync(key, default);
            }
            await h.PruneAsync();
            h.Clock.Advance(PruneHarness.Grace * 0.9); // the backup is slow: its commit would land near deleteAfter
        }));
        Assert.Null(snapshot);
        Assert.Equal(1, h.LockedBackups);
        Assert.Equal(0, h.SnapshotCount);
        Assert.Equal(0, before - 1);
        h.Clock.Advance(PruneHarness.Grace);
        await h.PruneAsync();
        await h.CheckAsync();
        // A new run succeeds and is complete.
        Assert.NotNull(await h.BackupAsync("a", writeOnly: false));
        await h.CheckAsync();
    }

    [Fact]
    public async Task Mostly_unused_packs_are_repacked_and_the_repository_stays_complete()
    {
        await using var h = await PruneHarness.CreateAsync();
        // Small files: the first backup's data fits one pack, so changing half of them leaves it half used.
        h.ChangeSource("a", files: 12, maxSize: 80_000);
        await h.BackupAsync("a", writeOnly: false);
        h.ChangeSource("a", files: 12, which: i => i % 2 == 0, maxSize: 80_000);
        await h.BackupAsync("a", writeOnly: false);
        await h.ForgetAsync(keepLast: 1);
        var mark = await h.PruneAsync(maxUnused: 0.0);
        Assert.True(mark.RepackedPacks > 0, $"some packs hold used and unused blobs: {mark.Blobs} blobs, {mark.UsedBlobs} used, {mark.Packs} packs, {mark.CondemnedPacks} condemned, {mark.Snapshots} snapshots");
        h.Clock.Advance(PruneHarness.Grace + TimeSpan.FromSeconds(1));
        var sweep = await h.PruneAsync(maxUnused: 0.0);
        Assert.Equal(mark.CondemnedPacks, sweep.DeletedPacks);
        var check = await h.CheckAsync();
        Assert.Equal(1, check.Snapshots);
        var after = await h.PruneAsync(maxUnused: 0.0);
        Assert.Equal(after.UsedBlobs, after.Blobs); // nothing unused is left
    }

    [Fact]
    public async Task Object_locked_packs_are_never_deleted_and_are_reported_with_their_expiry()
    {
        await using var h = await PruneHarness.CreateAsync();
        h.Storage.LockFor = TimeSpan.FromDays(3);
        h.ChangeSource("a");
        await h.BackupAsync("a", writeOnly: false);
        h.ChangeSource("a", changed: 6);
        await h.BackupAsync("a", writeOnly: false);
        var forget = await h.ForgetAsync(keepLast: 1);
        Assert.Single(forget.Locked); // the old snapshot itself is locked: kept and reported
        Assert.Equal(0, forget.Removed);

        h.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromSeconds(1)); // the snapshots' and first packs' lock passed
        Assert.Equal(1, (await h.ForgetAsync(keepLast: 1)).Removed);
        int packsBefore = h.Storage.Keys.Count(k => k.StartsWith("packs/", StringComparison.Ordinal));
        await h.PruneAsync();
        h.Clock.Advance(PruneHarness.Grace + TimeSpan.FromSeconds(1));
        var sweep = await h.PruneAsync();
        Assert.True(sweep.DeletedPacks > 0);
        Assert.True(h.Storage.Keys.Count(k => k.StartsWith("packs/", StringComparison.Ordinal)) < packsBefore);
        await h.CheckAsync();

        // Now lock everything again and make data unused: the sweep must postpone, naming the date.
        h.ChangeSource("a", changed: 6);
        await h.BackupAsync("a", writeOnly: false);
        h.Storage.LockFor = null;
        h.ChangeSource("a", changed: 6);
        await h.BackupAsync("a", writeOnly: false);
        h.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromSeconds(1)); // older snapshots' lock passed...
        h.Storage.LockFor = TimeSpan.FromDays(3);
        await h.ForgetAsync(keepLast: 1);
        foreach (var key in h.Storage.Keys.Where(k => k.StartsWith("packs/", StringComparison.Ordinal)).ToList())
        {
            await h.Storage.ExtendRetentionAsync(key, h.Clock.GetUtcNow() + TimeSpan.FromDays(2), default); // ...but not the packs' (lock refresh)
        }
        var mark = await h.PruneAsync();
        Assert.True(mark.CondemnedPacks > 0);
        h.Clock.Advance(PruneHarness.Grace + TimeSpan.FromSeconds(1));
        int stored = h.Storage.Keys.Count(k => k.StartsWith("packs/", StringComparison.Ordinal));
        var blocked = await h.PruneAsync();
        Assert.NotEmpty(blocked.Locked);
        Assert.All(blocked.Locked, l => Assert.True(l.Until > h.Clock.GetUtcNow()));
        Assert.Equal(stored - blocked.DeletedPacks, h.Storage.Keys.Count(k => k.StartsWith("packs/", StringComparison.Ordinal)));
        Assert.True(blocked.PendingPacks > 0);
        await h.CheckAsync();
        h.Clock.Advance(TimeSpan.FromDays(2));
        var later = await h.PruneAsync();
        Assert.Empty(later.Locked);
        Assert.True(later.DeletedPacks > 0);
        await h.CheckAsync();
    }

    [Fact]
    public async Task A_prune_failing_at_any_write_or_delete_leaves_a_valid_repository_that_the_next_prune_finishes()
    {
        for (int failAt = 0; failAt < 40; failAt++)
        {
            await using var h = await PruneHarness.CreateAsync(failAt);
            for (int i = 0; i < 3; i++)
            {
                h.ChangeSource("a", files: 8, changed: 4);
                await h.BackupAsync("a", writeOnly: false);
            }
            await h.ForgetAsync(keepLast: 1);
            await h.PruneAsync(maxUnused: 0.0);
            h.Clock.Advance(PruneHarness.Grace + TimeSpan.FromSeconds(1));

            // The sweep (and the next mark) dies at its failAt-th write or delete, as if killed there.
            int mutations = 0;
            var crashing = new CrashAfter(h.Storage, failAt, () => mutations++);
            bool crashed = false;
            try
            {
                await h.PruneAsync(crashing, maxUnused: 0.0);
            }
            catch (StorageException e) when (e.Message == CrashAfter.Message)
            {
                crashed = true;
            }
            await h.CheckAsync();
            var finish = await h.PruneAsync(maxUnused: 0.0);
            h.Clock.Advance(PruneHarness.Grace + TimeSpan.FromSeconds(1));
            await h.PruneAsync(maxUnused: 0.0);
            await h.CheckAsync();
            Assert.Equal(0, finish.RescuedPacks);
            if (!crashed)
            {
                Assert.True(failAt > 3, "the sweep makes several writes");
                return; // every instant of this prune has been a crash point
            }
        }
        Assert.Fail("the prune made more than 40 writes: raise the bound");
    }

    /// <summary>Throws on every write and delete after the first <c>n</c>, as a process killed at that instant would stop.</summary>
    private sealed class CrashAfter(IStorage inner, int n, Action counted) : DelegatingStorage(inner)
    {
        public const string Message = "simulated crash";
        private int _left = n;

        private void Step()
        {
            counted();
            if (Interlocked.Decrement(ref _left) < 0)
            {
                throw new StorageException(Message);
            }
        }

        public override Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            Step();
            return base.PutAsync(key, data, cancellationToken);
        }

        public override Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            Step();
            return base.TryCreateAsync(key, data, cancellationToken);
        }

        public override Task DeleteAsync(string key, CancellationToken cancellationToken)
        {
            Step();
            return base.DeleteAsync(key, cancellationToken);
        }
    }
}
