using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.App.Retention;
using Offsite.Core.Retention;

namespace Offsite.Cli.Commands;

/// <summary>`offsite forget`: remove snapshots no retention rule keeps (grouped by host and source), optionally prune.</summary>
public static class ForgetCommand
{
    public static Command Create()
    {
        var last = new Option<int?>("--keep-last") { Description = "keep the newest N snapshots" };
        var hourly = new Option<int?>("--keep-hourly") { Description = "keep the newest snapshot of each of the last N hours that have one" };
        var daily = new Option<int?>("--keep-daily") { Description = "… of each of the last N days" };
        var weekly = new Option<int?>("--keep-weekly") { Description = "… of each of the last N ISO weeks" };
        var monthly = new Option<int?>("--keep-monthly") { Description = "… of each of the last N months" };
        var yearly = new Option<int?>("--keep-yearly") { Description = "… of each of the last N years" };
        var within = new Option<string?>("--keep-within") { Description = "keep every snapshot of the last DURATION (e.g. 7d, 1m, 1y6m, 36h)" };
        var withinHourly = new Option<string?>("--keep-within-hourly") { Description = "keep one per hour within DURATION" };
        var withinDaily = new Option<string?>("--keep-within-daily") { Description = "keep one per day within DURATION" };
        var withinWeekly = new Option<string?>("--keep-within-weekly") { Description = "keep one per week within DURATION" };
        var withinMonthly = new Option<string?>("--keep-within-monthly") { Description = "keep one per month within DURATION" };
        var withinYearly = new Option<string?>("--keep-within-yearly") { Description = "keep one per year within DURATION" };
        var keepTag = new Option<string[]>("--keep-tag") { Description = "keep every snapshot with this tag (repeatable)" };
        var groupBy = new Option<string>("--group-by") { Description = "apply the rules per group: host, source, tags, paths, comma-separated ('' = one group)", DefaultValueFactory = _ => "host,source" };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "list what would be kept (and by which rule) and removed; change nothing" };
        var prune = new Option<bool>("--prune") { Description = "prune afterwards (see `offsite prune`)" };
        var filters = new SnapshotOptions();
        var pruneSettings = new PruneSettings();
        var command = new Command("forget", "remove snapshots by retention policy (the newest of each group is always kept)")
        {
            last, hourly, daily, weekly, monthly, yearly, within, withinHourly, withinDaily, withinWeekly, withinMonthly, withinYearly, keepTag, groupBy, dryRun, prune,
        };
        filters.AddTo(command);
        pruneSettings.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var given = new RetentionPolicy
            {
                KeepLast = r.GetValue(last), KeepHourly = r.GetValue(hourly), KeepDaily = r.GetValue(daily), KeepWeekly = r.GetValue(weekly),
                KeepMonthly = r.GetValue(monthly), KeepYearly = r.GetValue(yearly), KeepWithin = r.GetValue(within),
                KeepWithinHourly = r.GetValue(withinHourly), KeepWithinDaily = r.GetValue(withinDaily), KeepWithinWeekly = r.GetValue(withinWeekly),
                KeepWithinMonthly = r.GetValue(withinMonthly), KeepWithinYearly = r.GetValue(withinYearly), KeepTags = r.GetValue(keepTag) ?? [],
            };
            // No rule given with --job: the job's retention: section, for the job's snapshots only.
            var (policy, filter) = JobRetention.Resolve(given, filters.Filter(r), s.Job, () => s.LoadConfig(required: true)!);
            policy.Validate(); // before asking for a passphrase
            var grouping = SnapshotGrouping.Parse(r.GetValue(groupBy));
            bool dry = r.GetValue(dryRun);
            var pruneOptions = r.GetValue(prune) ? pruneSettings.ToOptions(r, dry, s.Quiet || s.Json ? null : new Progress<string>(m => Console.Error.WriteLine(m))) : null;
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var result = await Forgetter.RunAsync(repo, policy, grouping, filter.ToCore(), TimeZoneInfo.Local, repo.Runtime.Clock, dry, ct).ConfigureAwait(false);
            Render(result, s, dry);
            if (pruneOptions is not null)
            {
                PruneCommand.Render(await PruneSettings.RunAsync(repo, pruneOptions, ct).ConfigureAwait(false), s);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Render(ForgetResult result, GlobalSettings s, bool dry)
    {
        if (s.Json)
        {
            var groups = new JsonArray();
            foreach (var g in result.Groups)
            {
                groups.Add(new JsonObject
                {
                    ["group"] = g.Key,
                    ["snapshots"] = new JsonArray(g.Decisions.Select(d => (JsonNode)new JsonObject
                    {
                        ["id"] = d.Snapshot.Id, ["time"] = d.Snapshot.Time.ToString("O"), ["keep"] = d.Keep,
                        ["reasons"] = new JsonArray(d.Reasons.Select(x => (JsonNode?)x).ToArray()),
                    }).ToArray()),
                });
            }
            Output.Json(new JsonObject
            {
                ["dryRun"] = dry, ["removed"] = result.Removed, ["groups"] = groups,
                ["locked"] = new JsonArray(result.Locked.Select(l => (JsonNode)new JsonObject { ["id"] = l.Snapshot.Id, ["until"] = l.Until.ToString("O") }).ToArray()),
                ["expired"] = new JsonArray(result.Expired.Select(e => (JsonNode?)e.Id).ToArray()),
            });
            return;
        }
        foreach (var g in result.Groups)
        {
            CommandRunner.Info(s, $"{g.Key}: keep {g.Decisions.Count(d => d.Keep)}, remove {g.Decisions.Count(d => !d.Keep)}");
            foreach (var d in g.Decisions)
            {
                CommandRunner.Info(s, $"  {(d.Keep ? "keep  " : "remove")}  {d.Snapshot.Id[..8]}  {Output.Time(d.Snapshot.Time)}  {string.Join(", ", d.Reasons)}");
            }
        }
        foreach (var e in result.Expired)
        {
            CommandRunner.Info(s, $"  expired {e.Id[..8]}  {Output.Time(e.Time)}  (lifecycle retention: the bucket deletes it)");
        }
        foreach (var (snapshot, until) in result.Locked)
        {
            Console.Error.WriteLine($"object lock: snapshot {snapshot.Id[..8]} is retained until {until:u}; forget removes it after that");
        }
        CommandRunner.Info(s, $"{(dry ? "would remove" : "removed")} {Output.Count(result.Removed, "snapshot")}");
    }
}
