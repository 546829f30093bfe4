using System.CommandLine;
using System.Text.Json.Nodes;

namespace Offsite.Cli.Commands;

public static class SnapshotsCommand
{
    public static Command Create()
    {
        var filters = new SnapshotOptions();
        var command = new Command("snapshots", "list snapshots");
        filters.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var filter = filters.Filter(r);
            var list = await Offsite.App.Snapshots.SnapshotQuery.ListAsync(repo, filter, ct).ConfigureAwait(false);
            if (s.Json)
            {
                var array = new JsonArray();
                foreach (var sn in list)
                {
                    array.Add(new JsonObject
                    {
                        ["id"] = sn.Id, ["time"] = sn.Time.ToString("O"), ["host"] = sn.Host, ["source"] = sn.Source,
                        ["paths"] = new JsonArray(sn.Paths.Select(p => (JsonNode?)p).ToArray()),
                        ["tags"] = new JsonArray(sn.Tags.Select(t => (JsonNode?)t).ToArray()),
                        ["tree"] = sn.Tree, ["bytes"] = sn.Stats.Bytes, ["files"] = sn.Stats.Files,
                    });
                }
                Output.Json(array);
                return ExitCodes.Ok;
            }
            Console.WriteLine($"{"ID",-8}  {"Time",-19}  {"Host",-16}  {"Size",10}  Source / tags");
            foreach (var sn in list)
            {
                string tags = sn.Tags.Count > 0 ? "  [" + string.Join(",", sn.Tags) + "]" : "";
                Console.WriteLine($"{sn.Id[..8],-8}  {Output.Time(sn.Time),-19}  {sn.Host,-16}  {Output.Bytes(sn.Stats.Bytes),10}  {sn.Source}{tags}");
            }
            Console.WriteLine(list.Count == 1 ? "1 snapshot" : $"{list.Count} snapshots");
            return ExitCodes.Ok;
        });
        return command;
    }
}
