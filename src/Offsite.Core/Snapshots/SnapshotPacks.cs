using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Restore;
using Offsite.Core.Trees;

namespace Offsite.Core.Snapshots;

/// <summary>
/// Which packs a set of snapshots needs: the packs of every tree blob and every data blob they
/// reference (optionally only below the paths a <see cref="PathFilter"/> includes). Used by a
/// filtered copy (copy exactly these packs) and by restores from archive storage classes (retrieve
/// exactly these). Needs the identity: trees are encrypted. Memory: one entry per distinct pack and
/// per distinct tree visited.
/// </summary>
public sealed class SnapshotPacks
{
    private readonly Repository.Repository _repo;
    private readonly BlobLoader _trees;
    private readonly HashSet<BlobId> _visited = new();

    public SnapshotPacks(Repository.Repository repository)
    {
        _repo = repository;
        _trees = new BlobLoader(repository, maxCachedPacks: 2, localTreeRanges: true);
    }

    /// <summary>Packs holding tree blobs of the walked snapshots.</summary>
    public HashSet<string> TreePacks { get; } = new(StringComparer.Ordinal);
    /// <summary>Packs holding data blobs of the walked snapshots (within the filter).</summary>
    public HashSet<string> DataPacks { get; } = new(StringComparer.Ordinal);
    /// <summary>Blobs a tree references that no index knows (the snapshot is damaged).</summary>
    public List<string> Problems { get; } = new();

    /// <summary>Every pack, tree or data.</summary>
    public IEnumerable<string> All => TreePacks.Union(DataPacks, StringComparer.Ordinal);

    /// <summary>Walks the snapshot's trees (the index must be loaded). Damage is collected in <see cref="Problems"/>, not thrown.</summary>
    public Task AddAsync(Snapshot snapshot, PathFilter? filter, CancellationToken cancellationToken) =>
        WalkAsync(BlobId.Parse(snapshot.Tree), "", filter ?? new PathFilter([]), cancellationToken);

    private async Task WalkAsync(BlobId treeId, string display, PathFilter filter, CancellationToken cancellationToken)
    {
        // The same subtree under the same path is the same walk; a path-filtered walk must revisit per path.
        if (filter.IsEverything && !_visited.Add(treeId))
        {
            return;
        }
        if (!Note(treeId, TreePacks))
        {
            return;
        }
        Tree tree;
        try
        {
            tree = await _trees.LoadTreeAsync(treeId, cancellationToken).ConfigureAwait(false);
        }
        catch (OffsiteException e) when (e.Kind == ErrorKind.RepositoryDamaged)
        {
            Problems.Add(e.Message);
            return;
        }
        foreach (var node in tree.Nodes)
        {
            string path = display + "/" + node.DisplayName;
            if (node.Type == NodeType.Directory && node.Subtree is not null)
            {
                if (filter.Includes(path) || filter.MayIncludeBelow(path))
                {
                    await WalkAsync(BlobId.Parse(node.Subtree), path, filter, cancellationToken).ConfigureAwait(false);
                }
                continue;
            }
            if (!filter.Includes(path))
            {
                continue;
            }
            foreach (string hex in node.Content ?? [])
            {
                Note(BlobId.Parse(hex), DataPacks);
            }
        }
    }

    private bool Note(BlobId id, HashSet<string> into)
    {
        if (_repo.Index.FindPackOf(id) is not { } pack)
        {
            Problems.Add($"blob {id.Short} is referenced but in no index");
            return false;
        }
        into.Add(pack.Id);
        return true;
    }
}
