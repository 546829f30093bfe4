using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Retention;
using Offsite.Core.Snapshots;

namespace Offsite.Cli.Commands;

public static class SnapshotsCommand
{
    public static Command Create()
    {
        var filters = new SnapshotOptions();
        var latest = new Option<int?>("--latest") { Description = "only the newest N snapshots of each group (host and source unless --group-by says otherwise)" };
        var groupBy = new Option<string?>("--group-by", "-g") { Description = "list in groups: host, source, tags, paths, comma-separated (default: one list)" };
        var command = new Command("snapshots", "list snapshots") { latest, groupBy };
        filters.AddTo(command);
        latest.Validators.Add(v =>
        {
            if (v.GetValue(latest) is < 1) v.AddError("--latest: give a number of snapshots of at least 1");
        });
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            string? groupText = r.GetValue(groupBy);
            var grouping = groupText is null ? null : SnapshotGrouping.Parse(groupText);
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var list = await Offsite.App.Snapshots.SnapshotQuery.ListAsync(repo, filters.Filter(r), ct).ConfigureAwait(false);
            if (r.GetValue(latest) is { } n)
            {
                // Like restic's --latest: the newest N of each group, listed oldest first.
                var perGroup = grouping ?? SnapshotGrouping.Default;
                list = list.GroupBy(perGroup.KeyOf).SelectMany(g => g.TakeLast(n)).OrderBy(sn => sn.Time).ThenBy(sn => sn.Id, StringComparer.Ordinal).ToList();
            }
            List<(string? Key, IReadOnlyList<Snapshot> Snapshots)> groups = grouping is null
                ? [(null, list)]
                : list.GroupBy(grouping.KeyOf).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => ((string?)g.Key, (IReadOnlyList<Snapshot>)g.ToList())).ToList();
            if (s.Json)
            {
                Output.Json(grouping is null
                    ? ToJson(list)
                    : new JsonArray(groups.Select(g => (JsonNode)new JsonObject { ["group"] = GroupJson(grouping, g.Snapshots[0]), ["snapshots"] = ToJson(g.Snapshots) }).ToArray()));
                return ExitCodes.Ok;
            }
            foreach (var (key, snapshots) in groups)
            {
                if (key is not null) Console.WriteLine($"snapshots for {key}:");
                Console.WriteLine($"{"ID",-8}  {"Time",-19}  {"Host",-16}  {"Size",10}  Source / tags");
                foreach (var sn in snapshots)
                {
                    string tags = sn.Tags.Count > 0 ? "  [" + string.Join(",", sn.Tags) + "]" : "";
                    Console.WriteLine($"{sn.Id[..8],-8}  {Output.Time(sn.Time),-19}  {sn.Host,-16}  {Output.Bytes(sn.Stats.Bytes),10}  {sn.Source}{tags}");
                }
                Console.WriteLine(snapshots.Count == 1 ? "1 snapshot" : $"{snapshots.Count} snapshots");
                if (key is not null) Console.WriteLine();
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static JsonArray ToJson(IEnumerable<Snapshot> snapshots) => new(snapshots.Select(sn => (JsonNode)ToJson(sn)).ToArray());

    public static JsonObject ToJson(Snapshot sn) => new()
    {
        ["id"] = sn.Id, ["time"] = sn.Time.ToString("O"), ["host"] = sn.Host, ["source"] = sn.Source,
        ["paths"] = new JsonArray(sn.Paths.Select(p => (JsonNode?)p).ToArray()),
        ["tags"] = new JsonArray(sn.Tags.Select(t => (JsonNode?)t).ToArray()),
        ["tree"] = sn.Tree, ["bytes"] = sn.Stats.Bytes, ["files"] = sn.Stats.Files,
    };

    /// <summary>The fields a group shares, as restic's group_key: only those grouped by.</summary>
    private static JsonObject GroupJson(SnapshotGrouping grouping, Snapshot sample)
    {
        var key = new JsonObject();
        if (grouping.Host) key["host"] = sample.Host;
        if (grouping.Source) key["source"] = sample.Source;
        if (grouping.Tags) key["tags"] = new JsonArray(sample.Tags.Order(StringComparer.Ordinal).Select(t => (JsonNode?)t).ToArray());
        if (grouping.Paths) key["paths"] = new JsonArray(sample.Paths.Order(StringComparer.Ordinal).Select(p => (JsonNode?)p).ToArray());
        return key;
    }
}
