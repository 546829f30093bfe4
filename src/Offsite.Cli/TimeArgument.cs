using System.CommandLine.Parsing;
using System.Globalization;

namespace Offsite.Cli;

/// <summary>A time on the command line: RFC 3339, or a date and time without an offset (local time, as restic takes it).</summary>
public static class TimeArgument
{
    public static DateTimeOffset? Parse(ArgumentResult result, string option)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var t))
        {
            return t;
        }
        result.AddError($"{option}: '{text}' is not a time; use 2026-01-31T23:00:00Z, '2026-01-31 23:00:00' or 2026-01-31");
        return null;
    }
}
