namespace Offsite.TestSupport;

/// <summary>
/// A <see cref="TimeProvider"/> that moves only when told: tests of expiry, grace periods and retention run without
/// sleeping. Timers are not supported (code under test that waits takes its delays from elsewhere).
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now;

    public ManualClock(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }

    public void Set(DateTimeOffset now)
    {
        lock (_lock)
        {
            _now = now;
        }
    }
}
