using System.Text.Json.Nodes;
using Offsite.Core.Archiver;

namespace Offsite.Cli;

/// <summary>
/// Follows a running backup: on a terminal one line on stderr (files and bytes against the totals a
/// scan ahead found, percent, ETA, errors, the current file), redrawn in place and erased at the end;
/// with --json, restic-style <c>{"message_type":"status",…}</c> lines on stdout. Nothing at all when
/// output goes to a file or a pipe without --json, or with --quiet.
/// </summary>
public sealed class ProgressLine : IDisposable
{
    private static readonly Lock Gate = new();
    private static ProgressLine? _current;

    private readonly Timer _timer;
    private readonly BackupProgress _progress;
    private readonly bool _json;
    private readonly long _start = TimeProvider.System.GetTimestamp();
    private bool _drawn, _disposed;

    private ProgressLine(BackupProgress progress, bool json, TimeSpan interval)
    {
        _progress = progress;
        _json = json;
        _timer = new Timer(_ => Draw(), null, interval, interval);
    }

    /// <summary>True when this command shows progress: worth a scan ahead for the totals.</summary>
    public static bool Wanted(GlobalSettings s) => !s.Quiet && (s.Json || IsTerminal);

    private static bool IsTerminal => !Console.IsErrorRedirected && !Console.IsOutputRedirected;

    public static ProgressLine? Start(GlobalSettings s, BackupProgress progress)
    {
        if (!Wanted(s)) return null;
        var line = new ProgressLine(progress, s.Json, Interval(s.Json));
        lock (Gate)
        {
            _current?.Dispose();
            _current = line;
        }
        return line;
    }

    /// <summary>Ends the line being drawn, if any, so an error message starts on a clean line.</summary>
    public static void StopCurrent()
    {
        lock (Gate)
        {
            _current?.Dispose();
            _current = null;
        }
    }

    /// <summary>Redraws per second; $OFFSITE_PROGRESS_FPS changes it (as RESTIC_PROGRESS_FPS does).</summary>
    private static TimeSpan Interval(bool json) =>
        double.TryParse(CliEnvironment.Get("OFFSITE_PROGRESS_FPS"), System.Globalization.CultureInfo.InvariantCulture, out double fps) && fps is > 0 and <= 60
            ? TimeSpan.FromSeconds(1 / fps)
            : TimeSpan.FromMilliseconds(json ? 1000 : 250);

    private void Draw()
    {
        var snapshot = ProgressSnapshot.Of(_progress, TimeProvider.System.GetElapsedTime(_start));
        lock (_timer)
        {
            if (_disposed) return;
            if (_json)
            {
                Console.Out.WriteLine(snapshot.ToJson().ToJsonString());
                Console.Out.Flush();
                return;
            }
            string text = snapshot.ToText(Posix.Terminal.Columns(2) ?? 80);
            // Carriage return, the line, then erase what a longer previous line left to its right.
            Console.Error.Write($"\r{text}\u001b[K");
            _drawn = true;
        }
    }

    public void Dispose()
    {
        lock (_timer)
        {
            if (_disposed) return;
            _disposed = true;
            if (_drawn)
            {
                Console.Error.Write("\r\u001b[K"); // leave the cursor on an empty line for what follows
            }
        }
        _timer.Dispose();
    }
}

/// <summary>One reading of a backup's progress, as a terminal line or a restic-style JSON status line.</summary>
internal readonly record struct ProgressSnapshot(TimeSpan Elapsed, long Files, long Bytes, long TotalFiles, long TotalBytes, bool TotalsKnown, int Errors, string? Current)
{
    public static ProgressSnapshot Of(BackupProgress p, TimeSpan elapsed) =>
        new(elapsed, p.Files, p.ProcessedBytes, p.TotalFiles, p.TotalBytes, p.TotalsKnown, p.WarningCount, p.CurrentFile);

    /// <summary>Done as a fraction of the bytes the scan found (files when there are no bytes); null before the scan ends.</summary>
    public double? Fraction => !TotalsKnown ? null
        : TotalBytes > 0 ? Math.Min(1, (double)Bytes / TotalBytes)
        : TotalFiles > 0 ? Math.Min(1, (double)Files / TotalFiles) : 1;

    /// <summary>Time left at the rate so far; null until there is a rate to go by.</summary>
    public TimeSpan? Remaining => Fraction is > 0.001 and < 1 and var f && Elapsed.TotalSeconds >= 1
        ? TimeSpan.FromSeconds(Elapsed.TotalSeconds * (1 - f) / f) : null;

    /// <summary>The line, shorter than <paramref name="width"/>: a long current path loses its beginning, not its file name.</summary>
    public string ToText(int width)
    {
        var parts = new List<string> { $"[{Clock(Elapsed)}]" };
        if (Fraction is { } f)
        {
            parts.Add($"{f * 100:0.0}%");
            parts.Add($"{Files} / {TotalFiles} files");
            parts.Add($"{Output.Bytes(Bytes)} / {Output.Bytes(TotalBytes)}");
            parts.Add(Remaining is { } left ? $"ETA {Clock(left)}" : "ETA -");
        }
        else
        {
            parts.Add($"{Files} files");
            parts.Add(Output.Bytes(Bytes));
            if (TotalFiles > 0) parts.Add($"(scanned {TotalFiles} files, {Output.Bytes(TotalBytes)})");
        }
        if (Errors > 0) parts.Add(Errors == 1 ? "1 error" : $"{Errors} errors");
        string line = string.Join("  ", parts);
        int room = width - 1 - line.Length - 2;
        if (Current is { } current && room >= 8)
        {
            line += "  " + (current.Length <= room ? current : "…" + current[^(room - 1)..]);
        }
        return line.Length < width ? line : line[..Math.Max(0, width - 1)];
    }

    public JsonObject ToJson() => new()
    {
        ["message_type"] = "status",
        ["seconds_elapsed"] = (long)Elapsed.TotalSeconds,
        ["seconds_remaining"] = Remaining is { } left ? (long)left.TotalSeconds : null,
        ["percent_done"] = Fraction,
        ["total_files"] = TotalsKnown ? TotalFiles : null,
        ["files_done"] = Files,
        ["total_bytes"] = TotalsKnown ? TotalBytes : null,
        ["bytes_done"] = Bytes,
        ["error_count"] = Errors,
        ["current_files"] = Current is null ? new JsonArray() : new JsonArray(Current),
    };

    private static string Clock(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes}:{t.Seconds:00}";
}
