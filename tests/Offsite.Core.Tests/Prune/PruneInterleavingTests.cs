using Offsite.TestSupport.Storage;

namespace Offsite.Core.Tests.Prune;

/// <summary>
/// Randomised interleavings of backups (a full-key host and a write-only host) with forget and prune: a prune (mark,
/// and sometimes a sweep after the grace period) runs inside a backup at a random storage call — while it uploads a
/// pack, before its index, at its commit check, before its snapshot. After every step `check --read-data` must pass:
/// no finished snapshot ever misses a blob.
/// </summary>
public sealed class PruneInterleavingTests
{
    private static readonly (StorageOp Op, string Prefix, int MaxSkip)[] Points =
    [
        (StorageOp.Get, "prune-state", 0),   // the backup's first read of the state
        (StorageOp.Put, "packs/", 2),        // while uploading
        (StorageOp.Put, "index/", 0),        // before its index
        (StorageOp.Get, "prune-state", 1),   // at its commit check
        (StorageOp.Put, "snapshots/", 0),    // between the commit check and the snapshot (mark only: see below)
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task No_finished_snapshot_loses_a_blob(int seed)
    {
        var random = new Random(seed);
        await using var h = await PruneHarness.CreateAsync(seed);
        int committed = 0;
        for (int step = 0; step < 6; step++)
        {
            string host = random.Next(2) == 0 ? "full" : "writer";
            h.ChangeSource(host, changed: random.Next(0, 4));
            var (op, prefix, maxSkip) = Points[random.Next(Points.Length)];
            int skip = random.Next(maxSkip + 1);
            int plan = random.Next(4);
            var snapshot = await h.BackupAsync(host, writeOnly: host == "writer", s => s.Before(op, prefix, async () =>
            {
                await h.ForgetAsync(keepLast: 1);
                await h.PruneAsync(maxUnused: random.Next(2) == 0 ? 0.0 : 0.5);
                // A sweep after the commit check would model a snapshot PUT that outlasts its deadline (check +
                // MinimumGrace/4), which the client cancels by timer; the manual clock has no timers, so not here.
                if (plan >= 2 && prefix != "snapshots/")
                {
                    h.Clock.Advance(PruneHarness.Grace * (plan == 2 ? 0.8 : 1.01)); // near, or past, deleteAfter
                    await h.PruneAsync();
                }
            }, after: skip));
            if (snapshot is not null)
            {
                committed++;
            }
            try
            {
                await h.CheckAsync();
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException($"step {step}: host {host}, prune at {op} {prefix} (after {skip}), plan {plan}, committed {snapshot is not null}: {e.Message}");
            }
            if (random.Next(3) == 0)
            {
                h.Clock.Advance(PruneHarness.Grace + TimeSpan.FromMinutes(1));
                await h.PruneAsync();
                await h.CheckAsync();
            }
        }
        Assert.True(committed > 0);
        Assert.Equal(6, committed + h.LockedBackups);
    }
}
