using System.Text.Json;
using System.Text.Json.Nodes;

namespace Offsite.Cli;

/// <summary>Human and machine output helpers.</summary>
public static class Output
{
    // Relaxed escaping: '+' in times and '<' in names stay readable (the output is not embedded in HTML).
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Console.Out buffered (64 KiB) until the result is disposed, when stdout is not a terminal: a
    /// listing of a million entries becomes a few hundred writes instead of a million (the console
    /// writer flushes every line). For commands that list, not for ones that report progress.
    /// </summary>
    public static IDisposable BufferedStdout()
    {
        if (!Console.IsOutputRedirected)
        {
            return new RestoreStdout(null, null);
        }
        var inner = Console.Out;
        var buffered = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
        Console.SetOut(buffered);
        return new RestoreStdout(inner, buffered);
    }

    private sealed class RestoreStdout(TextWriter? inner, StreamWriter? buffered) : IDisposable
    {
        public void Dispose()
        {
            if (buffered is null)
            {
                return;
            }
            Console.SetOut(inner!);
            buffered.Dispose();
        }
    }

    public static void Json(JsonNode node) => Console.WriteLine(node.ToJsonString(Indented));

    /// <summary>One JSON value on one line: what commands that also stream status lines print (JSON lines).</summary>
    public static void JsonLine(JsonNode node) => Console.WriteLine(node.ToJsonString(Compact));

    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Bytes(long n)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }
        return u == 0 ? $"{n} B" : $"{v:0.00} {units[u]}";
    }

    /// <summary>RFC 3339 in UTC with nanoseconds when present: what --json prints for times.</summary>
    public static string Rfc3339(long unixNs)
    {
        var t = DateTimeOffset.UnixEpoch.AddTicks(unixNs / 100);
        long fraction = ((unixNs % 1_000_000_000) + 1_000_000_000) % 1_000_000_000;
        return t.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + (fraction == 0 ? "" : "." + fraction.ToString("D9", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0')) + "Z";
    }

    /// <summary>Permission bits as --json prints them: an octal string such as "0644" or "4755".</summary>
    public static string Mode(uint mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');

    /// <summary>"1 snapshot", "2 snapshots": a count with its noun in the right number.</summary>
    public static string Count(long n, string singular, string? plural = null) => n == 1 ? $"1 {singular}" : $"{n} {plural ?? singular + "s"}";

    /// <summary>The entry counts backup and restore both print, in the same words.</summary>
    public static string Counts(Offsite.Core.Trees.EntryCounts c) =>
        $"{Count(c.Files, "file")}, {Count(c.Directories, "dir")}, {Count(c.Symlinks, "symlink")}, {c.Other} other";

    /// <summary>The entry counts as --json fields (backup and restore use the same names).</summary>
    public static void AddCounts(JsonObject json, Offsite.Core.Trees.EntryCounts c)
    {
        json["files"] = c.Files;
        json["dirs"] = c.Directories;
        json["symlinks"] = c.Symlinks;
        json["other"] = c.Other;
    }

    public static string Time(DateTimeOffset t) => t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss");
}
