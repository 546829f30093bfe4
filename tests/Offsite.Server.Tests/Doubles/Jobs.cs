using Offsite.Server.Abstractions;

namespace Offsite.Server.Tests.Doubles;

internal static class Jobs
{
    public static JobDefinition Job(string name, string? schedule = null, string repository = "main", TimeSpan? timeout = null,
        TimeSpan jitter = default, string? zone = null, bool retention = false, NotificationSettings? notifications = null) => new()
    {
        Name = name,
        Repository = repository,
        Schedule = schedule,
        TimeZone = zone,
        Timeout = timeout,
        Jitter = jitter,
        HasRetention = retention,
        Notifications = notifications ?? NotificationSettings.None,
    };

    /// <summary>Waits for a condition that other threads make true (not for time to pass).</summary>
    public static async Task Eventually(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for: " + what);
            }
            await Task.Delay(5);
        }
    }
}
