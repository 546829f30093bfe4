using Offsite.Server.Scheduling;

namespace Offsite.Server.Tests;

public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Six_fields_include_seconds()
    {
        CronSchedule s = CronSchedule.Parse("*/15 * * * * *", null);
        Assert.Equal(Noon.AddSeconds(15), s.Next(Noon));
        Assert.Equal(Noon.AddSeconds(30), s.Next(Noon.AddSeconds(15)));
    }

    [Fact]
    public void Five_fields_are_minutes()
    {
        CronSchedule s = CronSchedule.Parse("30 2 * * *", null);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 2, 30, 0, TimeSpan.Zero), s.Next(Noon));
    }

    [Theory]
    [InlineData("@hourly", 1)]
    [InlineData("@daily", 12)]
    public void Macros(string macro, int hoursToNext)
    {
        CronSchedule s = CronSchedule.Parse(macro, null);
        Assert.Equal(Noon.AddHours(hoursToNext), s.Next(Noon));
    }

    [Fact]
    public void Schedule_is_read_in_the_job_time_zone_across_daylight_saving()
    {
        CronSchedule s = CronSchedule.Parse("0 2 * * *", "Europe/Berlin");
        // Winter: 02:00 in Berlin is 01:00 UTC; summer: 00:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero), s.Next(Noon)!.Value.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 7, 2, 0, 0, 0, TimeSpan.Zero), s.Next(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero))!.Value.ToUniversalTime());
        // 29 March 2026: 02:00 does not exist in Berlin; the run happens right after the jump (03:00 local = 01:00 UTC).
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), s.Next(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero))!.Value.ToUniversalTime());
    }

    [Fact]
    public void Missed_run_detection()
    {
        CronSchedule daily = CronSchedule.Parse("0 2 * * *", null);
        DateTimeOffset lastSuccess = new(2026, 11, 30, 2, 5, 0, TimeSpan.Zero); // a jittered 02:00 run
        Assert.False(daily.MissedSince(lastSuccess, new DateTimeOffset(2026, 12, 1, 1, 59, 0, TimeSpan.Zero)));
        Assert.True(daily.MissedSince(lastSuccess, new DateTimeOffset(2026, 12, 1, 2, 3, 0, TimeSpan.Zero)));
        Assert.True(daily.MissedSince(null, Noon));
    }

    [Theory]
    [InlineData("61 * * * *", null, "invalid cron expression")]
    [InlineData("* * *", null, "invalid cron expression")]
    [InlineData("@often", null, "invalid cron expression")]
    [InlineData("@daily", "Mars/Olympus", "unknown time zone 'Mars/Olympus'")]
    public void Invalid_input_gives_one_clear_line(string expression, string? zone, string expected)
    {
        var e = Assert.Throws<FormatException>(() => CronSchedule.Parse(expression, zone));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
