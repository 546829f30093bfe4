using System.Runtime.CompilerServices;
using Offsite.Core.Content;
using Offsite.Core.Errors;

namespace Offsite.Core.Trees;

/// <summary>
/// The one walk over a snapshot's trees: ls, find, diff, dump and the restore targets use it.
/// Paths are '/'-rooted and use each node's display name.
/// </summary>
public sealed class TreeWalker
{
    private readonly BlobLoader _loader;

    public TreeWalker(BlobLoader loader) => _loader = loader;

    public Task<Tree> LoadTreeAsync(string treeId, CancellationToken ct) => _loader.LoadTreeAsync(BlobId.Parse(treeId), ct);

    /// <summary>Every node below <paramref name="treeId"/>, depth first, parents before children.</summary>
    public async IAsyncEnumerable<(string Path, Node Node)> WalkAsync(string treeId, string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        var tree = await LoadTreeAsync(treeId, ct).ConfigureAwait(false);
        foreach (var node in tree.Nodes)
        {
            string path = prefix + "/" + node.DisplayName;
            yield return (path, node);
            if (node.Type == NodeType.Directory && node.Subtree is not null)
            {
                await foreach (var child in WalkAsync(node.Subtree, path, ct).ConfigureAwait(false))
                {
                    yield return child;
                }
            }
        }
    }

    /// <summary>The node at <paramref name="path"/> ('/'-rooted; "/" is the root itself).</summary>
    public async Task<Node> FindAsync(string rootTree, string path, CancellationToken ct)
    {
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new Node { Type = NodeType.Directory, Subtree = rootTree, Name = "" };
        foreach (string part in parts)
        {
            if (current.Type != NodeType.Directory || current.Subtree is null)
            {
                throw new OffsiteException(ErrorKind.NotFound, $"{path}: not a directory in this snapshot");
            }
            var tree = await LoadTreeAsync(current.Subtree, ct).ConfigureAwait(false);
            current = tree.Nodes.FirstOrDefault(n => n.DisplayName == part)
                ?? throw new OffsiteException(ErrorKind.NotFound, $"{path}: not in this snapshot");
        }
        return current;
    }

    /// <summary>
    /// Compares two trees and reports '+' added, '-' removed, 'M' modified paths; identical
    /// subtree ids are skipped without loading them.
    /// </summary>
    public async Task DiffAsync(string? left, string? right, string prefix, Action<char, string> report, CancellationToken ct)
    {
        if (left == right) return;
        var l = left is null ? new Tree() : await LoadTreeAsync(left, ct).ConfigureAwait(false);
        var r = right is null ? new Tree() : await LoadTreeAsync(right, ct).ConfigureAwait(false);
        var lmap = l.Nodes.ToDictionary(n => n.DisplayName, StringComparer.Ordinal);
        var rmap = r.Nodes.ToDictionary(n => n.DisplayName, StringComparer.Ordinal);
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
                await DiffAsync(lDir ? ln!.Subtree : null, rDir ? rn!.Subtree : null, path, report, ct).ConfigureAwait(false);
            }
        }
    }
}
