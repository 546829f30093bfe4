namespace Offsite.Core.Repository;

/// <summary>
/// Collects the large-object heap after a budget of short-lived large buffers has been allocated.
/// For loops that allocate big transient arrays faster than generation 2 collections come on their own
/// (index loading): the peak memory then stays at the live data plus one budget instead of growing
/// with the number of objects read. Thread-safe.
/// </summary>
internal sealed class GarbageBudget(long budgetBytes)
{
    private long _since;

    public void Add(long bytes)
    {
        if (Interlocked.Add(ref _since, bytes) < budgetBytes)
        {
            return;
        }
        Interlocked.Exchange(ref _since, 0);
        // Blocking and not compacting: frees the dead buffers for reuse by the next ones, cheaply.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
    }
}
