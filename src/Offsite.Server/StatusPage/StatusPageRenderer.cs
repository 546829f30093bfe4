using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Offsite.Server.Abstractions;
using Offsite.Server.Metrics;
using Offsite.Server.Scheduling;

namespace Offsite.Server.StatusPage;

/// <summary>Renders the status page as one HTML string; every value from outside goes through the HTML encoder.</summary>
internal static class StatusPageRenderer
{
    private const int RecentRuns = 20;
    private const int SnapshotsPerJob = 5;

    public static async Task<string> RenderAsync(ServerComponents c, string? notice, CancellationToken cancellationToken)
    {
        DateTimeOffset now = c.Options.Time.GetUtcNow();
        var sb = new StringBuilder(16 * 1024);
        Head(sb, "offsite serve", refresh: true);
        sb.Append("<header><h1>offsite serve</h1><span class=host>").Append(E(c.Options.HostName)).Append(" · ").Append(Time(now))
          .Append("</span><form method=post action=\"/ui/logout\"><button class=link>sign out</button></form></header>\n");
        if (!string.IsNullOrEmpty(notice))
        {
            sb.Append("<p class=notice id=notice>").Append(E(notice)).Append("</p>\n");
        }
        if (c.Scheduler.LastReloadError is { } reloadError)
        {
            sb.Append("<p class=bad>config reload refused, the previous config is in force: ").Append(E(reloadError)).Append("</p>\n");
        }

        sb.Append("<h2>Jobs</h2>\n<table id=jobs><thead><tr><th>job</th><th>repository</th><th>schedule</th><th>state</th><th>last run</th><th>last success</th><th>next run</th><th></th></tr></thead><tbody>\n");
        List<ScheduledJob> jobs = [.. c.Scheduler.Jobs.Values.OrderBy(j => j.Definition.Name, StringComparer.Ordinal)];
        foreach (ScheduledJob job in jobs)
        {
            JobDefinition d = job.Definition;
            bool running = c.Runner.IsRunning(d.Name);
            string state = running ? "running" : job.State.Paused ? "paused" : "idle";
            sb.Append("<tr data-job=\"").Append(E(d.Name)).Append("\"><td>").Append(E(d.Name)).Append("</td><td>").Append(E(d.Repository))
              .Append("</td><td><code>").Append(E(d.Schedule ?? "manual")).Append("</code> ").Append(E(d.TimeZone ?? "UTC"))
              .Append("</td><td class=\"state ").Append(state).Append("\">").Append(state).Append("</td><td>");
            if (job.State.LastRun is { } last)
            {
                sb.Append("<span class=\"").Append(last.Status == RunStatus.Succeeded ? "ok" : "bad").Append("\">")
                  .Append(E(ServerMetrics.StatusName(last.Status))).Append("</span> ").Append(Time(last.Started));
                if (last.Error is not null)
                {
                    sb.Append("<br><small>").Append(E(last.Error)).Append("</small>");
                }
            }
            else
            {
                sb.Append('–');
            }
            sb.Append("</td><td>").Append(job.State.LastSuccess is { } s ? Time(s) : "–")
              .Append("</td><td>").Append(!job.State.Paused && job.State.NextRun is { } n ? Time(n) : "–")
              .Append("</td><td><form method=post action=\"/ui/jobs/").Append(Uri.EscapeDataString(d.Name)).Append("/run\"><button")
              .Append(running ? " disabled" : "").Append(">Run now</button></form></td></tr>\n");
        }
        sb.Append("</tbody></table>\n");

        sb.Append("<h2>Recent runs</h2>\n<div id=runs>\n");
        IReadOnlyList<RunRecord> runs = c.Runner.History.Recent(null, RecentRuns);
        if (runs.Count == 0)
        {
            sb.Append("<p>No runs since the server started.</p>\n");
        }
        foreach (RunRecord run in runs)
        {
            sb.Append("<details class=run data-run=\"").Append(E(run.Id)).Append("\"").Append(run.Status == RunStatus.Running ? " open" : "").Append("><summary>")
              .Append(Time(run.Started)).Append(" · ").Append(E(run.Job)).Append(" · <span class=\"")
              .Append(run.Status == RunStatus.Succeeded ? "ok" : run.Status == RunStatus.Running ? "running" : "bad").Append("\">")
              .Append(E(ServerMetrics.StatusName(run.Status))).Append("</span>");
            if (run.Duration is { } dur)
            {
                sb.Append(" · ").Append(dur.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" s");
            }
            if (run.Result is { } r && run.Status == RunStatus.Succeeded)
            {
                sb.Append(" · ").Append(Bytes(r.BytesRead)).Append(" read, ").Append(Bytes(r.BytesStored)).Append(" stored");
            }
            sb.Append(" · <small>").Append(E(run.Id)).Append("</small></summary><pre>");
            foreach (string line in run.Log.Lines())
            {
                sb.Append(E(line)).Append('\n');
            }
            sb.Append("</pre></details>\n");
        }
        sb.Append("</div>\n");

        sb.Append("<h2>Snapshots</h2>\n<div id=snapshots>\n");
        foreach (ScheduledJob job in jobs)
        {
            sb.Append("<h3>").Append(E(job.Definition.Name)).Append("</h3>\n");
            try
            {
                IReadOnlyList<SnapshotSummary> snaps = await c.Queries.ListSnapshotsAsync(
                    new SnapshotFilter { Repository = job.Definition.Repository, Job = job.Definition.Name, Limit = SnapshotsPerJob }, cancellationToken).ConfigureAwait(false);
                if (snaps.Count == 0)
                {
                    sb.Append("<p>none</p>\n");
                    continue;
                }
                sb.Append("<table class=snaps><tr><th>id</th><th>time</th><th>host</th><th>source</th><th>size</th></tr>\n");
                foreach (SnapshotSummary snap in snaps)
                {
                    sb.Append("<tr><td><code>").Append(E(snap.Id.Length > 8 ? snap.Id[..8] : snap.Id)).Append("</code></td><td>").Append(Time(snap.Time))
                      .Append("</td><td>").Append(E(snap.Host)).Append("</td><td>").Append(E(snap.Source)).Append("</td><td>").Append(Bytes(snap.Size)).Append("</td></tr>\n");
                }
                sb.Append("</table>\n");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                sb.Append("<p class=muted>snapshots unavailable: ").Append(E(e.Message.ReplaceLineEndings(" "))).Append("</p>\n");
            }
        }
        sb.Append("</div>\n</body></html>\n");
        return sb.ToString();
    }

    public static string SignIn(bool failed)
    {
        var sb = new StringBuilder();
        Head(sb, "offsite serve: sign in", refresh: false);
        sb.Append("<h1>offsite serve</h1>\n<form method=post action=\"/login\" id=signin><label>API token <input type=password name=token id=token autocomplete=current-password></label> <button id=signin-button>Sign in</button></form>\n");
        if (failed)
        {
            sb.Append("<p class=bad>That is not the token.</p>\n");
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static void Head(StringBuilder sb, string title, bool refresh)
    {
        sb.Append("<!doctype html>\n<html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width\">");
        if (refresh)
        {
            sb.Append("<meta http-equiv=refresh content=15>");
        }
        sb.Append("<title>").Append(E(title)).Append("</title><style>")
          .Append("body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}header{display:flex;gap:1em;align-items:baseline}")
          .Append("h1{font-size:1.4em;margin:0}.host{color:#666}table{border-collapse:collapse;margin:.5em 0}th,td{text-align:left;padding:.3em .7em;border-bottom:1px solid #ddd;vertical-align:top}")
          .Append(".ok{color:#17702a}.bad{color:#b00020}.running{color:#1650a0}.state.paused{color:#8a6d00}.muted{color:#888}")
          .Append("pre{background:#f6f6f6;padding:.6em;max-height:20em;overflow:auto}.notice{background:#eef5ff;padding:.4em .7em}")
          .Append("button.link{background:none;border:none;color:#1650a0;cursor:pointer}</style></head><body>\n");
    }

    private static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";

    private static string Bytes(long n)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = n;
        int i = 0;
        while (v >= 1024 && i < units.Length - 1)
        {
            v /= 1024;
            i++;
        }
        return v.ToString(i == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " " + units[i];
    }
}
