using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;
using Offsite.Core.Trees;

namespace Offsite.App.Snapshots;

/// <summary>restic's stats modes, computed over the chosen snapshots.</summary>
public enum StatsMode
{
    /// <summary>What a restore writes: every file of every snapshot (a hard-linked file once per snapshot).</summary>
    RestoreSize,
    /// <summary>Files with distinct contents: a file stored in many places or snapshots counts once.</summary>
    FilesByContents,
    /// <summary>The distinct blobs (data and trees) the snapshots reference: unpacked and as stored.</summary>
    RawData,
}

/// <summary>The figures of one stats run. <see cref="StoredBytes"/> and <see cref="Blobs"/> only for raw-data.</summary>
public sealed record SnapshotStatsResult(StatsMode Mode, int Snapshots, long Files, long Bytes, long Blobs, long StoredBytes);

/// <summary>Walks snapshots' trees (the index must be loaded) to compute a <see cref="StatsMode"/>.</summary>
public static class SnapshotStatistics
{
    public static StatsMode ParseMode(string text) => text switch
    {
        "restore-size" => StatsMode.RestoreSize,
        "files-by-contents" => StatsMode.FilesByContents,
        "raw-data" => StatsMode.RawData,
        _ => throw new OffsiteException(ErrorKind.Usage, $"stats --mode: unknown mode '{text}' (restore-size, files-by-contents, raw-data)"),
    };

    public static string Name(StatsMode mode) => mode switch
    {
        StatsMode.RestoreSize => "restore-size",
        StatsMode.FilesByContents => "files-by-contents",
        _ => "raw-data",
    };

    public static async Task<SnapshotStatsResult> ComputeAsync(Core.Repository.Repository repo, IReadOnlyList<Snapshot> snapshots, StatsMode mode, CancellationToken ct)
    {
        var walker = new TreeWalker(new BlobLoader(repo));
        long files = 0, bytes = 0;
        var contents = new HashSet<string>(StringComparer.Ordinal);
        var blobs = new HashSet<BlobId>();
        foreach (var snapshot in snapshots)
        {
            var inodes = new HashSet<(ulong, ulong)>();
            if (mode == StatsMode.RawData)
            {
                await CollectBlobsAsync(walker, snapshot.Tree, blobs, ct).ConfigureAwait(false);
                continue;
            }
            await foreach (var (_, node) in walker.WalkAsync(snapshot.Tree, "", ct).ConfigureAwait(false))
            {
                if (node.Type != NodeType.File) continue;
                bool counted = mode == StatsMode.RestoreSize
                    ? node.Links is not > 1 || inodes.Add((node.Device ?? 0, node.Inode ?? 0))
                    : contents.Add(string.Join(',', node.Content ?? []));
                if (counted)
                {
                    files++;
                    bytes += node.Size;
                }
            }
        }
        if (mode != StatsMode.RawData)
        {
            return new SnapshotStatsResult(mode, snapshots.Count, files, bytes, 0, 0);
        }
        long raw = 0, stored = 0;
        foreach (var id in blobs)
        {
            var location = repo.Index.Find(id) ?? throw new OffsiteException(ErrorKind.RepositoryDamaged, $"blob {id.Short} is referenced but in no index");
            raw += location.Entry.RawLength;
            stored += location.Entry.Length;
        }
        return new SnapshotStatsResult(mode, snapshots.Count, 0, raw, blobs.Count, stored);
    }

    /// <summary>Every blob below a tree, the tree's own included; a tree already seen is not walked again.</summary>
    private static async Task CollectBlobsAsync(TreeWalker walker, string treeId, HashSet<BlobId> blobs, CancellationToken ct)
    {
        if (!blobs.Add(BlobId.Parse(treeId)))
        {
            return;
        }
        foreach (var node in (await walker.LoadTreeAsync(treeId, ct).ConfigureAwait(false)).Nodes)
        {
            if (node.Type == NodeType.Directory && node.Subtree is not null)
            {
                await CollectBlobsAsync(walker, node.Subtree, blobs, ct).ConfigureAwait(false);
            }
            foreach (string hex in node.Content ?? [])
            {
                blobs.Add(BlobId.Parse(hex));
            }
        }
    }
}
