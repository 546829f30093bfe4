using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;
using Offsite.Core.Storage;
using Offsite.Core.Trees;

namespace Offsite.Core.Prune;

/// <summary>
/// What one prune pass knows: every pack (listing + indexes), every blob copy (<see cref="BlobTable"/>), which index
/// object names which packs, and which blobs the snapshots use (marked by walking every snapshot's trees once).
/// Index objects are read one at a time and dropped; only tree packs go into the repository's in-memory index
/// (the tree walk reads them), so memory grows with the number of blobs by 24 bytes each and no more.
/// </summary>
public sealed class RepositoryScan
{
    private RepositoryScan(Repository.Repository repo)
    {
        Repo = repo;
        Blobs = new BlobTable(repo.ScratchDirectory);
    }

    public Repository.Repository Repo { get; }
    public PackTable Packs { get; } = new();
    public BlobTable Blobs { get; }
    /// <summary>Index object key → numbers of the packs it lists.</summary>
    public Dictionary<string, int[]> IndexObjects { get; } = new(StringComparer.Ordinal);
    public List<Snapshot> Snapshots { get; private set; } = new();
    /// <summary>Snapshots left out as roots: expired under lifecycle retention.</summary>
    public int ExpiredSnapshots { get; private set; }
    public long TreesWalked { get; private set; }

    public static async Task<RepositoryScan> RunAsync(Repository.Repository repo, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repo);
        _ = repo.Identities; // prune reads everything: a write-only key fails here, clearly
        var scan = new RepositoryScan(repo);
        progress?.Report("listing packs");
        await foreach (var info in repo.Storage.ListAsync(ObjectKeys.PacksPrefix, cancellationToken).ConfigureAwait(false))
        {
            var p = scan.Packs[scan.Packs.NumberOf(ObjectKeys.IdOf(info.Key))];
            p.Stored = true;
            p.Size = info.Size;
            p.StoredAt = info.LastModified;
        }
        progress?.Report("reading indexes");
        await scan.ReadIndexesAsync(cancellationToken).ConfigureAwait(false);
        scan.Blobs.Seal();
        // The table is built and the index objects' parse garbage is dead: give it back now, before the
        // tree walk adds its own, instead of letting the peak carry both (10 M blobs: 528 → see bench/RESULTS.md).
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        progress?.Report("finding data in use");
        await scan.MarkUsedAsync(cancellationToken).ConfigureAwait(false);
        scan.Tally();
        return scan;
    }

    private async Task ReadIndexesAsync(CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var info in Repo.Storage.ListAsync(ObjectKeys.IndexPrefix, cancellationToken).ConfigureAwait(false))
        {
            keys.Add(info.Key);
        }
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (string key in keys)
        {
            var numbers = new List<int>();
            try
            {
                // Each pack as it is parsed (its entries are a list reused for the next one).
                await Repo.LoadIndexPacksAsync(key, ip => numbers.Add(AddIndexedPack(ip)), cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException)
            {
                continue; // removed since the listing (lifecycle expiry)
            }
            present.Add(ObjectKeys.IdOf(key));
            IndexObjects[key] = [.. numbers];
        }
        Repo.Cache.RetainIndexes(present);
    }

    /// <summary>Records a pack an index object describes and its blobs; returns the pack's number.</summary>
    private int AddIndexedPack(PackInfo ip)
    {
        int n = Packs.NumberOf(ip.Id);
        var p = Packs[n];
        if (p.Indexed)
        {
            return n; // the same pack in two index objects (a crashed rewrite): its blobs once
        }
        p.Indexed = true;
        p.Created = ip.Created;
        if (!p.Stored)
        {
            p.Size = ip.Size;
        }
        foreach (var b in ip.Entries)
        {
            Blobs.Add(b.Id, n, b.Length);
            p.Blobs++;
            p.BlobBytes += b.Length;
            p.HasTrees |= b.Type == BlobType.Tree;
        }
        if (p.HasTrees)
        {
            Repo.Index.AddDeferred(ip); // the tree walk reads these
        }
        return n;
    }

    private async Task MarkUsedAsync(CancellationToken cancellationToken)
    {
        var all = await Repo.ListAllSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        if (Repo.Damaged.ByKey.Keys.FirstOrDefault(k => k.StartsWith(ObjectKeys.SnapshotsPrefix, StringComparison.Ordinal)) is { } damaged)
        {
            // Listing skips a damaged snapshot; prune must not: it cannot tell which data that snapshot needs.
            throw new OffsiteException(ErrorKind.RepositoryDamaged,
                $"{damaged} is damaged: prune cannot tell which data it references and deletes nothing; restore the object from a copy, or delete it by hand if it is lost, then prune again");
        }
        Snapshots = all.Where(s => !Repo.IsExpired(s)).ToList();
        ExpiredSnapshots = all.Count - Snapshots.Count;
        // Tree blobs come from the cached copies of their packs one by one (the age chunks holding
        // each), not as whole 16 MiB packs held next to the blob table (3M files: prune 248 -> 177 MiB).
        var loader = new BlobLoader(Repo, maxCachedPacks: 2, localTreeRanges: true);
        var visited = new HashSet<BlobId>();
        var stack = new Stack<(BlobId Tree, string Snapshot)>();
        foreach (var s in Snapshots)
        {
            stack.Push((BlobId.Parse(s.Tree), s.Id));
        }
        while (stack.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (treeId, snapshot) = stack.Pop();
            if (!visited.Add(treeId))
            {
                continue;
            }
            Require(treeId, snapshot);
            Tree tree;
            try
            {
                tree = await loader.LoadTreeAsync(treeId, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobDamagedException e)
            {
                throw new OffsiteException(ErrorKind.RepositoryDamaged, $"prune stopped: tree {treeId.Short} of snapshot {snapshot[..8]} cannot be read ({e.Message}); run `offsite check`", e);
            }
            TreesWalked++;
            foreach (var node in tree.Nodes)
            {
                if (node.Content is { } content)
                {
                    foreach (string hex in content)
                    {
                        Require(BlobId.Parse(hex), snapshot);
                    }
                }
                if (node.Subtree is { } sub)
                {
                    stack.Push((BlobId.Parse(sub), snapshot));
                }
            }
        }
    }

    /// <summary>A referenced blob that no index has means damage: pruning then could only make it worse.</summary>
    private void Require(BlobId id, string snapshot)
    {
        if (!Blobs.MarkUsed(id))
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged,
                $"prune stopped: blob {id.Short} used by snapshot {snapshot[..8]} is in no index; the repository is damaged (run `offsite check`), nothing was deleted");
        }
    }

    private void Tally()
    {
        Blobs.ForEach((pack, length, used) =>
        {
            if (used)
            {
                var p = Packs[pack];
                p.UsedBlobs++;
                p.UsedBytes += length;
            }
        });
    }
}
