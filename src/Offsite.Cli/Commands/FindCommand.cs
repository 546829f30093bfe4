using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.App.Find;
using Offsite.App.Snapshots;
using Offsite.Core.Content;
using Offsite.Core.Paths;

namespace Offsite.Cli.Commands;

/// <summary>`offsite find PATTERN...`: which snapshots hold a path, as restic find does.</summary>
public static class FindCommand
{
    public static Command Create()
    {
        var patterns = new Argument<string[]>("pattern") { Description = "glob: '*' within a name, '**' any depth; '/…' from the root, otherwise the end of the path", Arity = ArgumentArity.OneOrMore };
        var newest = new Option<DateTimeOffset?>("--newest") { Description = "only entries modified at or before this time", CustomParser = r => TimeArgument.Parse(r, "--newest") };
        var oldest = new Option<DateTimeOffset?>("--oldest") { Description = "only entries modified at or after this time", CustomParser = r => TimeArgument.Parse(r, "--oldest") };
        var ids = new Option<string[]>("--snapshot", "-s") { Description = "search only this snapshot (repeatable; default: every snapshot the filters match)" };
        var filters = new SnapshotOptions();
        var command = new Command("find", "find paths in snapshots (prints snapshot, path, size, modification time)") { patterns, newest, oldest, ids };
        filters.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            using var stdout = Output.BufferedStdout();
            // The patterns of backup --exclude and restore --include; find reports the paths that match themselves.
            var matchers = r.GetValue(patterns)!.Select(p => PathPattern.Parse(p)).ToList();
            var criteria = new FindCriteria(path => matchers.Any(m => m.MatchesExactly(path)), r.GetValue(oldest), r.GetValue(newest));
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var snapshots = await SnapshotQuery.SelectAsync(repo, r.GetValue(ids) ?? [], filters.Filter(r), ct).ConfigureAwait(false);
            await repo.LoadIndexAsync(ct, treesOnly: true).ConfigureAwait(false);
            var json = new JsonArray();
            int found = 0;
            string? current = null;
            await foreach (var m in SnapshotSearch.FindAsync(new BlobLoader(repo, localTreeRanges: true), snapshots, criteria, ct).ConfigureAwait(false))
            {
                found++;
                if (s.Json)
                {
                    json.Add(new JsonObject
                    {
                        ["snapshot"] = m.Snapshot.Id, ["path"] = m.Path, ["type"] = LsCommand.TypeName(m.Node.Type), ["size"] = m.Node.Size,
                        ["mode"] = Output.Mode(m.Node.Mode), ["mtime"] = Output.Rfc3339(m.Node.MtimeNs),
                    });
                    continue;
                }
                if (current != m.Snapshot.Id)
                {
                    current = m.Snapshot.Id;
                    Console.WriteLine($"snapshot {m.Snapshot.Id[..8]} of {Output.Time(m.Snapshot.Time)} ({m.Snapshot.Host}, {m.Snapshot.Source}):");
                }
                Console.WriteLine($"  {m.Snapshot.Id[..8]}  {m.Node.Size,12}  {Output.Time(DateTimeOffset.UnixEpoch.AddTicks(m.Node.MtimeNs / 100))}  {m.Path}");
            }
            if (s.Json)
            {
                Output.Json(json);
            }
            else
            {
                CommandRunner.Info(s, $"{found} {(found == 1 ? "match" : "matches")} in {snapshots.Count} {(snapshots.Count == 1 ? "snapshot" : "snapshots")}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
