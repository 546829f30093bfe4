using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Content;
using Offsite.Core.Trees;

namespace Offsite.Cli.Commands;

public static class LsCommand
{
    public static Command Create()
    {
        var snapshot = new Argument<string>("snapshot") { Description = "snapshot id or 'latest'" };
        var path = new Argument<string?>("path") { Description = "directory inside the snapshot (default /)", Arity = ArgumentArity.ZeroOrOne };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "list everything below the directory, not just its entries" };
        var filters = new SnapshotOptions();
        var command = new Command("ls", "list a directory of a snapshot (one level; --recursive for all)") { snapshot, path, recursive };
        filters.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            using var stdout = Output.BufferedStdout();
            var (_, sn, loader) = await filters.OpenSnapshotAsync(s, r, r.GetValue(snapshot)!, ct, treesOnly: true).ConfigureAwait(false);
            string start = "/" + (r.GetValue(path) ?? "").Trim('/');
            var walker = new TreeWalker(loader);
            var node = await walker.FindAsync(sn.Tree, start, ct).ConfigureAwait(false);
            var entries = node.Type == NodeType.Directory && node.Subtree is not null
                ? (r.GetValue(recursive) ? walker.WalkAsync(node.Subtree, start == "/" ? "" : start, ct) : OneLevel(walker, node.Subtree, start == "/" ? "" : start, ct))
                : Single(start, node);
            var json = new JsonArray();
            await foreach (var (p, n) in entries.ConfigureAwait(false))
            {
                if (s.Json)
                {
                    json.Add(new JsonObject
                    {
                        ["path"] = p, ["type"] = TypeName(n.Type), ["size"] = n.Size, ["mode"] = Output.Mode(n.Mode),
                        ["mtime"] = Output.Rfc3339(n.MtimeNs), ["mtimeNs"] = n.MtimeNs,
                    });
                }
                else
                {
                    Console.WriteLine($"{Mode(n)} {n.User ?? n.Uid.ToString(),-8} {n.Group ?? n.Gid.ToString(),-8} {n.Size,12} {Output.Time(DateTimeOffset.FromUnixTimeMilliseconds(n.MtimeNs / 1_000_000))} {p}{(n.Type == NodeType.Symlink ? " -> " + Node.Escape(n.RawLinkTarget) : "")}");
                }
            }
            if (s.Json) Output.Json(json);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async IAsyncEnumerable<(string, Node)> OneLevel(TreeWalker walker, string treeId, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var n in (await walker.LoadTreeAsync(treeId, ct).ConfigureAwait(false)).Nodes)
        {
            yield return (prefix + "/" + n.DisplayName, n);
        }
    }

#pragma warning disable CS1998 // a one-element async sequence needs no await
    private static async IAsyncEnumerable<(string, Node)> Single(string p, Node n)
    {
        yield return (p, n);
    }
#pragma warning restore CS1998

    /// <summary>The same names the tree format uses (docs/format.md).</summary>
    public static string TypeName(NodeType t) => TreeJson.TypeName(t);

    private static string Mode(Node n)
    {
        char t = n.Type switch { NodeType.Directory => 'd', NodeType.Symlink => 'l', NodeType.Fifo => 'p', NodeType.Socket => 's', NodeType.CharDevice => 'c', NodeType.BlockDevice => 'b', _ => '-' };
        var chars = new char[10];
        chars[0] = t;
        const string rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++)
        {
            chars[i + 1] = (n.Mode & (1u << (8 - i))) != 0 ? rwx[i] : '-';
        }
        return new string(chars);
    }
}
