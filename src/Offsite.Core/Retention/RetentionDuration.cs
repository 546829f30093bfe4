using System.Globalization;
using Offsite.Core.Errors;

namespace Offsite.Core.Retention;

/// <summary>
/// A calendar duration such as <c>1y6m</c>, <c>14d</c> or <c>2w12h</c> (y years, m months, w weeks, d days, h hours).
/// Years, months and days are counted on the wall clock of a time zone, so "1 month before 31 March" is 28/29
/// February and "1 day" across a DST change is 23 or 25 hours; hours are absolute.
/// </summary>
public readonly record struct RetentionDuration(int Years, int Months, int Days, int Hours)
{
    public bool IsZero => Years == 0 && Months == 0 && Days == 0 && Hours == 0;

    public static RetentionDuration Parse(string text)
    {
        if (!TryParse(text, out var d))
        {
            throw new OffsiteException(ErrorKind.Usage, $"invalid duration '{text}': use numbers with y, m, w, d, h, e.g. 1y6m, 14d, 36h");
        }
        return d;
    }

    public static bool TryParse(string? text, out RetentionDuration duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        int y = 0, m = 0, d = 0, h = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsAsciiDigit(c))
            {
                continue;
            }
            if (i == start || !int.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                return false;
            }
            try
            {
                checked
                {
                    switch (c)
                    {
                        case 'y': y += n; break;
                        case 'm': m += n; break;
                        case 'w': d += 7 * n; break;
                        case 'd': d += n; break;
                        case 'h': h += n; break;
                        default: return false;
                    }
                }
            }
            catch (OverflowException)
            {
                return false;
            }
            start = i + 1;
        }
        if (start != text.Length || y > 9999 || m > 120000 || d > 3_650_000)
        {
            return false; // trailing digits without a unit, or absurdly long
        }
        duration = new RetentionDuration(y, m, d, h);
        return true;
    }

    /// <summary>The instant this long before <paramref name="now"/>, counting calendar units in <paramref name="zone"/>.</summary>
    public DateTimeOffset Before(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        DateTime local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        DateTime shifted = local.AddYears(-Years).AddMonths(-Months).AddDays(-Days);
        return ToInstant(shifted, zone) - TimeSpan.FromHours(Hours);
    }

    /// <summary>
    /// A wall-clock time as an instant. A time inside a spring-forward gap does not exist: the gap's end is used.
    /// An ambiguous time (fall back) takes its earlier instant, so a window reaches back further, never less far.
    /// </summary>
    private static DateTimeOffset ToInstant(DateTime wall, TimeZoneInfo zone)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(wall))
        {
            wall = wall.AddMinutes(1);
        }
        if (zone.IsAmbiguousTime(wall))
        {
            TimeSpan largest = zone.GetAmbiguousTimeOffsets(wall).Max();
            return new DateTimeOffset(wall, largest);
        }
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    public override string ToString()
    {
        var parts = new List<string>();
        if (Years != 0) parts.Add(Years + "y");
        if (Months != 0) parts.Add(Months + "m");
        if (Days != 0) parts.Add(Days + "d");
        if (Hours != 0) parts.Add(Hours + "h");
        return parts.Count == 0 ? "0h" : string.Concat(parts);
    }
}
