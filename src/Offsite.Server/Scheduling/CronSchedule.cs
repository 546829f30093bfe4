using Cronos;

namespace Offsite.Server.Scheduling;

/// <summary>
/// A job's schedule: a cron expression (5 fields, or 6 with seconds first, or an <c>@hourly</c>-style macro) read in a
/// time zone. Daylight-saving gaps and overlaps follow Cronos: a time skipped by a forward jump runs right after the
/// jump, a time repeated by a backward jump runs once.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(string text, CronExpression expression, TimeZoneInfo zone)
    {
        Text = text;
        _expression = expression;
        Zone = zone;
    }

    public string Text { get; }
    public TimeZoneInfo Zone { get; }

    /// <summary>Parses an expression; throws <see cref="FormatException"/> with one line naming the problem.</summary>
    public static CronSchedule Parse(string expression, string? timeZoneId)
    {
        ArgumentNullException.ThrowIfNull(expression);
        string text = expression.Trim();
        TimeZoneInfo zone;
        try
        {
            zone = string.IsNullOrEmpty(timeZoneId) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new FormatException($"unknown time zone '{timeZoneId}' (use an IANA id such as Europe/Berlin)");
        }
        int fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        CronFormat format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        try
        {
            return new CronSchedule(text, CronExpression.Parse(text, format), zone);
        }
        catch (CronFormatException e)
        {
            throw new FormatException($"invalid cron expression '{text}': {e.Message}", e);
        }
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none (e.g. Feb 30).</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, Zone, inclusive: false);

    /// <summary>
    /// True when a scheduled time passed since <paramref name="lastSuccess"/> (at or before <paramref name="now"/>):
    /// that run was missed, e.g. while the server was down. Null (never succeeded) counts as missed.
    /// </summary>
    public bool MissedSince(DateTimeOffset? lastSuccess, DateTimeOffset now)
    {
        if (lastSuccess is null)
        {
            return true;
        }
        DateTimeOffset? next = Next(lastSuccess.Value);
        return next is not null && next.Value <= now;
    }
}
