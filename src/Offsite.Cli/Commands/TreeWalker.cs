using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Trees;

namespace Offsite.Cli.Commands;

/// <summary>Walks a snapshot's trees depth-first, yielding each node with its '/'-rooted path.</summary>
public static class TreeWalker
{
    public static async IAsyncEnumerable<(string Path, Node Node)> WalkAsync(BlobLoader loader, string treeId, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var tree = Tree.Parse(await loader.LoadAsync(BlobId.Parse(treeId), ct).ConfigureAwait(false), $"tree {treeId[..8]}");
        foreach (var node in tree.Nodes)
        {
            string path = prefix + "/" + node.DisplayName;
            yield return (path, node);
            if (node.Type == NodeType.Directory && node.Subtree is not null)
            {
                await foreach (var child in WalkAsync(loader, node.Subtree, path, ct).ConfigureAwait(false))
                {
                    yield return child;
                }
            }
        }
    }

    /// <summary>Finds the node at <paramref name="path"/> ('/'-rooted).</summary>
    public static async Task<Node> FindAsync(BlobLoader loader, string rootTree, string path, CancellationToken ct)
    {
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new Node { Type = NodeType.Directory, Subtree = rootTree, Name = "" };
        foreach (string part in parts)
        {
            if (current.Type != NodeType.Directory || current.Subtree is null)
            {
                throw new OffsiteException(ErrorKind.NotFound, $"{path}: not a directory in this snapshot");
            }
            var tree = Tree.Parse(await loader.LoadAsync(BlobId.Parse(current.Subtree), ct).ConfigureAwait(false), "tree");
            current = tree.Nodes.FirstOrDefault(n => n.DisplayName == part)
                ?? throw new OffsiteException(ErrorKind.NotFound, $"{path}: not in this snapshot");
        }
        return current;
    }
}
