using System.CommandLine;
using Offsite.Core.Content;
using Offsite.Core.Trees;

namespace Offsite.Cli.Commands;

public static class DiffCommand
{
    public static Command Create()
    {
        var a = new Argument<string>("first") { Description = "older snapshot" };
        var b = new Argument<string>("second") { Description = "newer snapshot" };
        var filters = new SnapshotOptions();
        var command = new Command("diff", "show what changed between two snapshots") { a, b };
        filters.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            using var stdout = Output.BufferedStdout();
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var first = await filters.FindAsync(repo, r, r.GetValue(a)!, ct).ConfigureAwait(false);
            var second = await filters.FindAsync(repo, r, r.GetValue(b)!, ct).ConfigureAwait(false);
            await repo.LoadIndexAsync(ct, treesOnly: true).ConfigureAwait(false);
            var walker = new TreeWalker(new BlobLoader(repo, localTreeRanges: true));
            int added = 0, removed = 0, modified = 0;
            var changes = new System.Text.Json.Nodes.JsonArray();
            await walker.DiffAsync(first.Tree, second.Tree, "", (mark, path) =>
            {
                if (s.Json)
                {
                    changes.Add(new System.Text.Json.Nodes.JsonObject { ["change"] = mark switch { '+' => "added", '-' => "removed", _ => "modified" }, ["path"] = path });
                }
                else
                {
                    Console.WriteLine($"{mark}    {path}");
                }
                _ = mark switch { '+' => added++, '-' => removed++, _ => modified++ };
            }, ct).ConfigureAwait(false);
            if (s.Json)
            {
                Output.Json(new System.Text.Json.Nodes.JsonObject
                {
                    ["first"] = first.Id, ["second"] = second.Id, ["changes"] = changes, ["added"] = added, ["removed"] = removed, ["modified"] = modified,
                });
                return ExitCodes.Ok;
            }
            CommandRunner.Info(s, $"{added} added, {removed} removed, {modified} modified");
            return ExitCodes.Ok;
        });
        return command;
    }
}
