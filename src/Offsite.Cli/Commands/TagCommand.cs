using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.App.Snapshots;

namespace Offsite.Cli.Commands;

/// <summary>`offsite tag`: add, remove or set the tags of snapshots chosen by id or by the filters.</summary>
public static class TagCommand
{
    public static Command Create()
    {
        var ids = new Argument<string[]>("snapshot") { Description = "snapshot ids or 'latest' (default: every snapshot the filters match, all of them without filters, as restic does)", Arity = ArgumentArity.ZeroOrMore };
        var add = new Option<string[]>("--add") { Description = "add this tag (repeatable)" };
        var remove = new Option<string[]>("--remove") { Description = "remove this tag (repeatable)" };
        var set = new Option<string[]>("--set") { Description = "replace all tags with these (repeatable; --set '' removes all)" };
        var filters = new SnapshotOptions();
        var command = new Command("tag", "change snapshots' tags (each changed snapshot gets a new id; the old object is deleted)") { ids, add, remove, set };
        filters.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            string[] setTags = r.GetValue(set) ?? [];
            var change = new TagChange(r.GetValue(add) ?? [], r.GetValue(remove) ?? [],
                r.GetResult(set) is null ? null : setTags.Where(t => t.Length > 0).ToList());
            change.Validate(); // before asking for a passphrase
            var references = r.GetValue(ids) ?? [];
            var filter = filters.Filter(r);
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var snapshots = await SnapshotQuery.SelectAsync(repo, references, filter, ct).ConfigureAwait(false);
            if (snapshots.Count == 0)
            {
                throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.NotFound, "tag: no snapshot matches the filters");
            }
            var results = await SnapshotTagger.RunAsync(repo, snapshots, change, Environment.ProcessId, ct).ConfigureAwait(false);
            int changed = results.Count(x => x.New is not null);
            if (s.Json)
            {
                Output.Json(new JsonObject
                {
                    ["changed"] = changed,
                    ["snapshots"] = new JsonArray(results.Select(x => (JsonNode)new JsonObject
                    {
                        ["old"] = x.Old.Id, ["new"] = x.New?.Id,
                        ["tags"] = new JsonArray((x.New ?? x.Old).Tags.Select(t => (JsonNode?)t).ToArray()),
                    }).ToArray()),
                });
                return ExitCodes.Ok;
            }
            foreach (var x in results)
            {
                string tags = "[" + string.Join(",", (x.New ?? x.Old).Tags) + "]";
                CommandRunner.Info(s, x.New is null ? $"{x.Old.Id[..8]}  unchanged  {tags}" : $"{x.Old.Id[..8]} -> {x.New.Id[..8]}  {tags}");
            }
            CommandRunner.Info(s, changed == 1 ? "1 snapshot changed" : $"{changed} snapshots changed");
            return ExitCodes.Ok;
        });
        return command;
    }
}
