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
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var first = await filters.FindAsync(repo, r, r.GetValue(a)!, ct).ConfigureAwait(false);
            var second = await filters.FindAsync(repo, r, r.GetValue(b)!, ct).ConfigureAwait(false);
            await repo.LoadIndexAsync(ct).ConfigureAwait(false);
            var loader = new BlobLoader(repo);
            int added = 0, removed = 0, modified = 0;
            await DiffTreesAsync(loader, first.Tree, second.Tree, "", ct, (mark, path) =>
            {
                Console.WriteLine($"{mark}    {path}");
                _ = mark switch { '+' => added++, '-' => removed++, _ => modified++ };
            }).ConfigureAwait(false);
            CommandRunner.Info(s, $"{added} added, {removed} removed, {modified} modified");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Compares two trees; identical subtree ids are skipped without loading them.</summary>
    private static async Task DiffTreesAsync(BlobLoader loader, string? left, string? right, string prefix, CancellationToken ct, Action<char, string> report)
    {
        if (left == right) return;
        var l = left is null ? new Tree() : Tree.Parse(await loader.LoadAsync(BlobId.Parse(left), ct).ConfigureAwait(false), "tree");
        var rt = right is null ? new Tree() : Tree.Parse(await loader.LoadAsync(BlobId.Parse(right), ct).ConfigureAwait(false), "tree");
        var lmap = l.Nodes.ToDictionary(n => n.DisplayName, StringComparer.Ordinal);
        var rmap = rt.Nodes.ToDictionary(n => n.DisplayName, StringComparer.Ordinal);
        foreach (string name in lmap.Keys.Union(rmap.Keys).Order(StringComparer.Ordinal))
        {
            string path = prefix + "/" + name;
            lmap.TryGetValue(name, out var ln);
            rmap.TryGetValue(name, out var rn);
            if (ln is null) report('+', path);
            else if (rn is null) report('-', path);
            else if (ln.Type != rn.Type || ln.Mode != rn.Mode || ln.MtimeNs != rn.MtimeNs || ln.Size != rn.Size
                || !(ln.Content ?? []).SequenceEqual(rn.Content ?? []) || ln.LinkTarget != rn.LinkTarget)
            {
                if (ln.Type != NodeType.Directory || rn.Type != NodeType.Directory) report('M', path);
            }
            bool lDir = ln?.Type == NodeType.Directory, rDir = rn?.Type == NodeType.Directory;
            if (lDir || rDir)
            {
                await DiffTreesAsync(loader, lDir ? ln!.Subtree : null, rDir ? rn!.Subtree : null, path, ct, report).ConfigureAwait(false);
            }
        }
    }
}
