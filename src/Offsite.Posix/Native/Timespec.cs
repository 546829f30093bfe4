namespace Offsite.Posix.Native;

/// <summary><c>struct timespec</c> on x86_64: 64-bit seconds and nanoseconds.</summary>
internal struct Timespec
{
    private const long NanosPerSecond = 1_000_000_000;

    public long tv_sec;
    public long tv_nsec;

    /// <summary>
    /// Nanoseconds since the epoch. A long covers years 1677..2262; timestamps outside that range
    /// (seen in the wild on corrupted or deliberately odd files) saturate rather than wrap, so they
    /// stay "very old"/"very new" instead of turning into a garbage date.
    /// </summary>
    public readonly long ToUnixNanoseconds()
    {
        if (tv_sec > long.MaxValue / NanosPerSecond - 1)
        {
            return long.MaxValue;
        }
        if (tv_sec < long.MinValue / NanosPerSecond + 1)
        {
            return long.MinValue;
        }
        return tv_sec * NanosPerSecond + tv_nsec;
    }

    /// <summary>Splits with floor division: the kernel requires 0 &lt;= tv_nsec &lt; 1e9 even before 1970.</summary>
    public static Timespec FromUnixNanoseconds(long ns)
    {
        long sec = Math.DivRem(ns, NanosPerSecond, out long rem);
        if (rem < 0)
        {
            sec--;
            rem += NanosPerSecond;
        }
        return new Timespec { tv_sec = sec, tv_nsec = rem };
    }
}
