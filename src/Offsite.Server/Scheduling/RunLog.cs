using System.Globalization;
using Offsite.Server.Abstractions;

namespace Offsite.Server.Scheduling;

/// <summary>A run's log: timestamped lines, the newest <see cref="MaxLines"/> kept (memory stays bounded however long a run talks).</summary>
public sealed class RunLog : IRunLog
{
    public const int MaxLines = 2000;
    public const int MaxLineLength = 2000;

    private readonly Queue<string> _lines = new();
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _dropped;

    public RunLog(TimeProvider time) => _time = time;

    public void Write(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Length > MaxLineLength)
        {
            line = string.Concat(line.AsSpan(0, MaxLineLength), "…");
        }
        string stamped = _time.GetUtcNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " " + line.ReplaceLineEndings(" ");
        lock (_lock)
        {
            _lines.Enqueue(stamped);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
                _dropped++;
            }
        }
    }

    /// <summary>All kept lines, oldest first (preceded by a note when earlier lines were dropped).</summary>
    public IReadOnlyList<string> Lines()
    {
        lock (_lock)
        {
            var list = new List<string>(_lines.Count + 1);
            if (_dropped > 0)
            {
                list.Add($"… {_dropped} earlier lines not kept");
            }
            list.AddRange(_lines);
            return list;
        }
    }

    /// <summary>The last <paramref name="maxLines"/> lines, at most <paramref name="maxChars"/> characters (for notifications).</summary>
    public string Tail(int maxLines = 30, int maxChars = 10_000)
    {
        IReadOnlyList<string> lines = Lines();
        var picked = new List<string>();
        int chars = 0;
        for (int i = lines.Count - 1; i >= 0 && picked.Count < maxLines; i--)
        {
            chars += lines[i].Length + 1;
            if (chars > maxChars)
            {
                break;
            }
            picked.Add(lines[i]);
        }
        picked.Reverse();
        return string.Join('\n', picked);
    }
}
