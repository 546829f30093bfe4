using Offsite.Core.Errors;
using Offsite.Core.Retention;

namespace Offsite.Core.Tests.Retention;

/// <summary>GFS rules as tables: instants in UTC, calendar in Europe/Berlin (DST and month ends included).</summary>
public sealed class RetentionPlannerTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static RetentionItem Snap(string utc, params string[] tags) =>
        new(utc, DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), tags);

    /// <summary>Applies the policy and returns "id=reasons" for kept and "id=-" for removed, in input order.</summary>
    private static Dictionary<string, string> Run(RetentionPolicy policy, string now, params RetentionItem[] items)
    {
        var decisions = RetentionPlanner.Apply(items, policy, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), Berlin);
        Assert.Equal(items.Length, decisions.Count);
        return decisions.ToDictionary(d => d.Item.Id, d => d.Keep ? string.Join(',', d.Reasons) : "-");
    }

    [Fact]
    public void Keep_daily_keeps_the_newest_of_each_of_the_last_n_days()
    {
        var r = Run(new RetentionPolicy { KeepDaily = 2 }, "2026-05-10T12:00:00Z",
            Snap("2026-05-08T08:00:00Z"), Snap("2026-05-08T20:00:00Z"),
            Snap("2026-05-09T08:00:00Z"), Snap("2026-05-09T20:00:00Z"),
            Snap("2026-05-10T08:00:00Z"));
        Assert.Equal("newest,daily", r["2026-05-10T08:00:00Z"]);
        Assert.Equal("daily", r["2026-05-09T20:00:00Z"]);
        Assert.Equal("-", r["2026-05-09T08:00:00Z"]);
        Assert.Equal("-", r["2026-05-08T20:00:00Z"]);
        Assert.Equal("-", r["2026-05-08T08:00:00Z"]);
    }

    [Fact]
    public void Rules_combine_and_each_reason_is_reported()
    {
        var r = Run(new RetentionPolicy { KeepLast = 2, KeepMonthly = 2, KeepTags = ["audit"] }, "2026-05-10T12:00:00Z",
            Snap("2026-03-15T10:00:00Z", "audit"), Snap("2026-04-01T10:00:00Z"), Snap("2026-04-20T10:00:00Z"),
            Snap("2026-05-01T10:00:00Z"), Snap("2026-05-02T10:00:00Z"));
        Assert.Equal("newest,last,monthly", r["2026-05-02T10:00:00Z"]);
        Assert.Equal("last", r["2026-05-01T10:00:00Z"]);
        Assert.Equal("monthly", r["2026-04-20T10:00:00Z"]);
        Assert.Equal("-", r["2026-04-01T10:00:00Z"]);
        Assert.Equal("tag:audit", r["2026-03-15T10:00:00Z"]);
    }

    [Fact]
    public void Days_are_local_days_across_the_spring_forward_change()
    {
        // 2026-03-29 in Berlin has 23 hours (02:00 CET -> 03:00 CEST). 22:30Z on the 29th is already the 30th there.
        var r = Run(new RetentionPolicy { KeepDaily = 10 }, "2026-03-31T12:00:00Z",
            Snap("2026-03-28T22:30:00Z"),  // 28th 23:30 CET
            Snap("2026-03-29T00:30:00Z"),  // 29th 01:30 CET
            Snap("2026-03-29T01:30:00Z"),  // 29th 03:30 CEST
            Snap("2026-03-29T21:30:00Z"),  // 29th 23:30 CEST: newest of the 29th
            Snap("2026-03-29T22:30:00Z")); // 30th 00:30 CEST
        Assert.Equal("newest,daily", r["2026-03-29T22:30:00Z"]);
        Assert.Equal("daily", r["2026-03-29T21:30:00Z"]);
        Assert.Equal("-", r["2026-03-29T01:30:00Z"]);
        Assert.Equal("-", r["2026-03-29T00:30:00Z"]);
        Assert.Equal("daily", r["2026-03-28T22:30:00Z"]);
    }

    [Fact]
    public void The_hour_repeated_when_clocks_fall_back_counts_as_two_hours()
    {
        // 2026-10-25 in Berlin: 03:00 CEST -> 02:00 CET, so 02:15 happens twice (00:15Z and 01:15Z).
        var r = Run(new RetentionPolicy { KeepHourly = 5 }, "2026-10-25T06:00:00Z",
            Snap("2026-10-25T00:15:00Z"),  // 02:15 CEST
            Snap("2026-10-25T00:45:00Z"),  // 02:45 CEST: newest of the first 02 hour
            Snap("2026-10-25T01:15:00Z"),  // 02:15 CET: the second 02 hour
            Snap("2026-10-25T01:40:00Z")); // 02:40 CET
        Assert.Equal("newest,hourly", r["2026-10-25T01:40:00Z"]);
        Assert.Equal("-", r["2026-10-25T01:15:00Z"]);
        Assert.Equal("hourly", r["2026-10-25T00:45:00Z"]);
        Assert.Equal("-", r["2026-10-25T00:15:00Z"]);
    }

    [Fact]
    public void Months_are_local_months_at_month_ends()
    {
        var r = Run(new RetentionPolicy { KeepMonthly = 3 }, "2026-04-02T12:00:00Z",
            Snap("2026-01-31T22:00:00Z"),  // 31 Jan 23:00 CET: January's newest
            Snap("2026-01-31T23:30:00Z"),  // 1 Feb 00:30 CET: February
            Snap("2026-02-28T22:30:00Z"),  // 28 Feb 23:30 CET: February's newest
            Snap("2026-03-31T21:00:00Z")); // 31 Mar 23:00 CEST
        Assert.Equal("newest,monthly", r["2026-03-31T21:00:00Z"]);
        Assert.Equal("monthly", r["2026-02-28T22:30:00Z"]);
        Assert.Equal("-", r["2026-01-31T23:30:00Z"]);
        Assert.Equal("monthly", r["2026-01-31T22:00:00Z"]);
    }

    [Fact]
    public void Keep_within_one_month_from_31_march_reaches_back_to_28_february()
    {
        // now = 31 Mar 12:00 CEST (10:00Z); one calendar month earlier is 28 Feb 12:00 CET (11:00Z).
        var r = Run(new RetentionPolicy { KeepWithin = "1m" }, "2026-03-31T10:00:00Z",
            Snap("2026-02-28T10:59:00Z"), Snap("2026-02-28T11:00:00Z"), Snap("2026-03-30T10:00:00Z"));
        Assert.Equal("within", r["2026-02-28T11:00:00Z"]);
        Assert.Equal("-", r["2026-02-28T10:59:00Z"]);
    }

    [Fact]
    public void Keep_within_a_day_across_spring_forward_is_23_hours()
    {
        // now = 29 Mar 12:00 CEST (10:00Z); a calendar day earlier is 28 Mar 12:00 CET (11:00Z): 23 hours.
        var r = Run(new RetentionPolicy { KeepWithin = "1d" }, "2026-03-29T10:00:00Z",
            Snap("2026-03-28T10:30:00Z"), Snap("2026-03-28T11:30:00Z"), Snap("2026-03-29T09:00:00Z"));
        Assert.Equal("within", r["2026-03-28T11:30:00Z"]);
        Assert.Equal("-", r["2026-03-28T10:30:00Z"]);
    }

    [Fact]
    public void Keep_within_hours_are_absolute()
    {
        var r = Run(new RetentionPolicy { KeepWithin = "24h" }, "2026-03-29T10:00:00Z",
            Snap("2026-03-28T09:59:00Z"), Snap("2026-03-28T10:00:00Z"), Snap("2026-03-29T09:00:00Z"));
        Assert.Equal("within", r["2026-03-28T10:00:00Z"]);
        Assert.Equal("-", r["2026-03-28T09:59:00Z"]);
    }

    [Fact]
    public void Keep_within_daily_keeps_one_per_day_inside_the_window_only()
    {
        var r = Run(new RetentionPolicy { KeepWithinDaily = "2d" }, "2026-05-10T12:00:00Z",
            Snap("2026-05-07T20:00:00Z"),  // outside the window
            Snap("2026-05-08T20:00:00Z"),  // 8 May 22:00 CEST, after the cutoff (8 May 14:00 CEST)
            Snap("2026-05-09T08:00:00Z"), Snap("2026-05-09T20:00:00Z"),
            Snap("2026-05-10T08:00:00Z"));
        Assert.Equal("newest,within-daily", r["2026-05-10T08:00:00Z"]);
        Assert.Equal("within-daily", r["2026-05-09T20:00:00Z"]);
        Assert.Equal("-", r["2026-05-09T08:00:00Z"]);
        Assert.Equal("within-daily", r["2026-05-08T20:00:00Z"]);
        Assert.Equal("-", r["2026-05-07T20:00:00Z"]);
    }

    [Fact]
    public void Weeks_are_iso_weeks_across_the_new_year()
    {
        // Thu 31 Dec 2026 and Sun 3 Jan 2027 are both in ISO week 2026-W53; Mon 4 Jan 2027 is 2027-W01.
        var r = Run(new RetentionPolicy { KeepWeekly = 3 }, "2027-01-05T12:00:00Z",
            Snap("2026-12-24T10:00:00Z"), Snap("2026-12-31T10:00:00Z"), Snap("2027-01-03T10:00:00Z"), Snap("2027-01-04T10:00:00Z"));
        Assert.Equal("newest,weekly", r["2027-01-04T10:00:00Z"]);
        Assert.Equal("weekly", r["2027-01-03T10:00:00Z"]);
        Assert.Equal("-", r["2026-12-31T10:00:00Z"]);
        Assert.Equal("weekly", r["2026-12-24T10:00:00Z"]);
    }

    [Fact]
    public void Yearly_counts_only_years_that_have_a_snapshot()
    {
        var r = Run(new RetentionPolicy { KeepYearly = 2 }, "2026-05-10T12:00:00Z",
            Snap("2020-06-01T00:00:00Z"), Snap("2023-12-31T22:59:00Z"), Snap("2023-12-31T23:30:00Z"), Snap("2026-01-01T00:00:00Z"));
        Assert.Equal("newest,yearly", r["2026-01-01T00:00:00Z"]);
        Assert.Equal("yearly", r["2023-12-31T23:30:00Z"]); // already 1 Jan 2024 in Berlin: 2024 is the second year
        Assert.Equal("-", r["2023-12-31T22:59:00Z"]);       // 23:59 on 31 Dec 2023 in Berlin: a third year
        Assert.Equal("-", r["2020-06-01T00:00:00Z"]);
    }

    [Fact]
    public void The_newest_snapshot_of_a_group_is_always_kept()
    {
        var r = Run(new RetentionPolicy { KeepTags = ["never-there"] }, "2030-01-01T00:00:00Z",
            Snap("2026-05-01T00:00:00Z"), Snap("2026-05-02T00:00:00Z"));
        Assert.Equal("newest", r["2026-05-02T00:00:00Z"]);
        Assert.Equal("-", r["2026-05-01T00:00:00Z"]);
    }

    [Fact]
    public void An_empty_or_negative_policy_is_refused()
    {
        Assert.Equal(ErrorKind.Usage, Assert.Throws<OffsiteException>(() => new RetentionPolicy().Validate()).Kind);
        Assert.Equal(ErrorKind.Usage, Assert.Throws<OffsiteException>(() => new RetentionPolicy { KeepDaily = -1 }.Validate()).Kind);
        Assert.Equal(ErrorKind.Usage, Assert.Throws<OffsiteException>(() => new RetentionPolicy { KeepWithin = "7x" }.Validate()).Kind);
    }

    [Theory]
    [InlineData("7d", 0, 0, 7, 0)]
    [InlineData("1y6m", 1, 6, 0, 0)]
    [InlineData("2w12h", 0, 0, 14, 12)]
    [InlineData("1y2m3d4h", 1, 2, 3, 4)]
    public void Durations_parse(string text, int y, int m, int d, int h) =>
        Assert.Equal(new RetentionDuration(y, m, d, h), RetentionDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("d")]
    [InlineData("7d3")]
    [InlineData("-1d")]
    [InlineData("99999999999d")]
    public void Bad_durations_are_refused(string text) => Assert.False(RetentionDuration.TryParse(text, out _));

    [Fact]
    public void The_policy_binds_from_snake_case_json()
    {
        var p = System.Text.Json.JsonSerializer.Deserialize<RetentionPolicy>(
            """{"keep_last":3,"keep_daily":7,"keep_within":"30d","keep_tag":["audit"]}""")!;
        Assert.Equal(3, p.KeepLast);
        Assert.Equal(7, p.KeepDaily);
        Assert.Equal("30d", p.KeepWithin);
        Assert.Equal(["audit"], p.KeepTags);
    }
}
