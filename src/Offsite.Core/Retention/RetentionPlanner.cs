using System.Globalization;

namespace Offsite.Core.Retention;

/// <summary>What the planner needs of a snapshot.</summary>
public sealed record RetentionItem(string Id, DateTimeOffset Time, IReadOnlyList<string> Tags);

/// <summary>Whether one snapshot is kept, and every rule that keeps it (empty when it is removed).</summary>
public sealed record RetentionDecision(RetentionItem Item, IReadOnlyList<string> Reasons)
{
    public bool Keep => Reasons.Count > 0;
}

/// <summary>
/// Applies a <see cref="RetentionPolicy"/> to one group of snapshots (one host and source, usually). Pure: the
/// current time and the time zone whose calendar defines hours, days, weeks (ISO 8601), months and years are
/// parameters, so the rules are testable across DST changes and month ends.
/// </summary>
public static class RetentionPlanner
{
    private enum Period { Hour, Day, Week, Month, Year }

    /// <summary>Decisions for <paramref name="items"/>, newest first.</summary>
    public static IReadOnlyList<RetentionDecision> Apply(IEnumerable<RetentionItem> items, RetentionPolicy policy, DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        policy.Validate();
        var sorted = items.OrderByDescending(i => i.Time).ThenByDescending(i => i.Id, StringComparer.Ordinal).ToList();
        var reasons = sorted.Select(_ => new List<string>()).ToList();

        // The newest snapshot of a group is always kept: a policy can thin out history, never empty it.
        if (sorted.Count > 0)
        {
            reasons[0].Add("newest");
        }
        if (policy.KeepLast is int last)
        {
            for (int i = 0; i < Math.Min(last, sorted.Count); i++)
            {
                reasons[i].Add("last");
            }
        }
        KeepPerPeriod(sorted, reasons, Period.Hour, policy.KeepHourly, null, "hourly", zone);
        KeepPerPeriod(sorted, reasons, Period.Day, policy.KeepDaily, null, "daily", zone);
        KeepPerPeriod(sorted, reasons, Period.Week, policy.KeepWeekly, null, "weekly", zone);
        KeepPerPeriod(sorted, reasons, Period.Month, policy.KeepMonthly, null, "monthly", zone);
        KeepPerPeriod(sorted, reasons, Period.Year, policy.KeepYearly, null, "yearly", zone);

        foreach (var (rule, value) in policy.Windows())
        {
            if (value is null)
            {
                continue;
            }
            DateTimeOffset since = RetentionDuration.Parse(value).Before(now, zone);
            Period? period = rule switch
            {
                "within-hourly" => Period.Hour,
                "within-daily" => Period.Day,
                "within-weekly" => Period.Week,
                "within-monthly" => Period.Month,
                "within-yearly" => Period.Year,
                _ => null,
            };
            if (period is { } p)
            {
                KeepPerPeriod(sorted, reasons, p, int.MaxValue, since, rule, zone);
                continue;
            }
            for (int i = 0; i < sorted.Count; i++)
            {
                if (sorted[i].Time >= since)
                {
                    reasons[i].Add(rule);
                }
            }
        }
        foreach (string tag in policy.KeepTags)
        {
            for (int i = 0; i < sorted.Count; i++)
            {
                if (sorted[i].Tags.Contains(tag, StringComparer.Ordinal))
                {
                    reasons[i].Add("tag:" + tag);
                }
            }
        }
        return sorted.Select((item, i) => new RetentionDecision(item, reasons[i])).ToList();
    }

    /// <summary>Keeps the newest snapshot of each of the newest <paramref name="count"/> periods (only those at or after <paramref name="since"/>).</summary>
    private static void KeepPerPeriod(List<RetentionItem> sorted, List<List<string>> reasons, Period period, int? count, DateTimeOffset? since, string rule, TimeZoneInfo zone)
    {
        if (count is not int remaining || remaining <= 0)
        {
            return;
        }
        string? previous = null;
        for (int i = 0; i < sorted.Count && remaining > 0; i++)
        {
            if (since is { } s && sorted[i].Time < s)
            {
                break; // sorted newest first: everything after is older still
            }
            string key = PeriodKey(sorted[i].Time, period, zone);
            if (key == previous)
            {
                continue;
            }
            previous = key;
            reasons[i].Add(rule);
            remaining--;
        }
    }

    /// <summary>
    /// The calendar period of an instant in <paramref name="zone"/>. Hours carry the UTC offset: the hour repeated
    /// when clocks fall back is two hours, not one.
    /// </summary>
    private static string PeriodKey(DateTimeOffset time, Period period, TimeZoneInfo zone)
    {
        DateTimeOffset local = TimeZoneInfo.ConvertTime(time, zone);
        DateTime d = local.DateTime;
        return period switch
        {
            Period.Hour => d.ToString("yyyy-MM-dd HH", CultureInfo.InvariantCulture) + local.Offset.ToString(),
            Period.Day => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Period.Week => ISOWeek.GetYear(d).ToString(CultureInfo.InvariantCulture) + "-W" + ISOWeek.GetWeekOfYear(d).ToString("00", CultureInfo.InvariantCulture),
            Period.Month => d.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            _ => d.Year.ToString(CultureInfo.InvariantCulture),
        };
    }
}
