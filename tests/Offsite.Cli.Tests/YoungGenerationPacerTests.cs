namespace Offsite.Cli.Tests;

/// <summary>The pacer keeps the allocations between gen0 collections near its budget, whatever the GC's own budget.</summary>
public sealed class YoungGenerationPacerTests
{
    [Fact]
    public void Allocations_between_gen0_collections_stay_near_the_budget()
    {
        const long Budget = 4L << 20;
        const long Total = 240L << 20;
        using var pacer = new YoungGenerationPacer(Budget, TimeSpan.FromMilliseconds(5));
        int before = GC.CollectionCount(0);
        long start = GC.GetTotalAllocatedBytes(precise: true);

        // ~2 MiB of short-lived 1 KiB objects every 5 ms, as a busy command allocates.
        var keep = new object[64];
        for (long done = 0; done < Total; done += 2L << 20)
        {
            for (int i = 0; i < 2048; i++)
            {
                keep[i % keep.Length] = new byte[1000];
            }
            Thread.Sleep(5);
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - start;
        int collections = GC.CollectionCount(0) - before;
        // At most ~3 budgets between collections (the budget plus the reading interval's overshoot).
        Assert.True(collections >= allocated / (3 * Budget), $"{collections} gen0 collections for {allocated >> 20} MiB allocated ({pacer.Collections} by the pacer)");
        GC.KeepAlive(keep);
    }
}
