using System.Globalization;
using System.Text;
using Offsite.Server.Metrics;
using Offsite.Server.Scheduling;

namespace Offsite.Server.Notifications;

public enum RunEventKind
{
    Started,
    Succeeded,
    Failed,
}

/// <summary>What a notification says about a run.</summary>
public sealed record RunEvent(RunEventKind Kind, RunRecord Run, string Host)
{
    /// <summary>One line for chat and mail subjects, e.g. <c>offsite: job db failed on web1: pg_dump exited with 1</c>.</summary>
    public string Summary => Kind switch
    {
        RunEventKind.Started => $"offsite: job {Run.Job} started on {Host}",
        RunEventKind.Succeeded => $"offsite: job {Run.Job} succeeded on {Host} in {Seconds(Run.Duration)}",
        _ => $"offsite: job {Run.Job} {ServerMetrics.StatusName(Run.Status).Replace('_', ' ')} on {Host}: {Run.Error}",
    };

    /// <summary>Summary, figures and the tail of the log, as plain text (mail body, ping body).</summary>
    public string Text(int tailLines = 30)
    {
        var sb = new StringBuilder();
        sb.Append(Summary).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"run {Run.Id}, repository {Run.Repository}, started {Run.Started:u}");
        if (Run.Finished is { } f)
        {
            sb.Append(CultureInfo.InvariantCulture, $", finished {f:u}");
        }
        sb.Append('\n');
        if (Run.Result is { } r && Kind == RunEventKind.Succeeded)
        {
            sb.Append(CultureInfo.InvariantCulture, $"snapshots {string.Join(", ", r.SnapshotIds)}; files {r.Files}; read {r.BytesRead} B, added {r.BytesAdded} B, stored {r.BytesStored} B\n");
        }
        string tail = Run.Log.Tail(tailLines);
        if (tail.Length > 0)
        {
            sb.Append("\nlog (tail):\n").Append(tail).Append('\n');
        }
        return sb.ToString();
    }

    private static string Seconds(TimeSpan? d) => d is null ? "?" : d.Value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
