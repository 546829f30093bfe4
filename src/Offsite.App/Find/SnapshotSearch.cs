using System.Runtime.CompilerServices;
using Offsite.Core.Content;
using Offsite.Core.Snapshots;
using Offsite.Core.Trees;

namespace Offsite.App.Find;

/// <summary>One path `find` found: where, in which snapshot, and the node's metadata.</summary>
public sealed record FindMatch(Snapshot Snapshot, string Path, Node Node);

/// <summary>What `find` looks for: a path predicate plus optional bounds on the modification time.</summary>
public sealed record FindCriteria(Predicate<string> Matches, DateTimeOffset? Oldest = null, DateTimeOffset? Newest = null)
{
    public bool Accepts(string path, Node node)
    {
        if (Oldest is not null || Newest is not null)
        {
            var mtime = DateTimeOffset.UnixEpoch.AddTicks(node.MtimeNs / 100);
            if ((Oldest is { } oldest && mtime < oldest) || (Newest is { } newest && mtime > newest)) return false;
        }
        return Matches(path);
    }
}

/// <summary>
/// Walks snapshots' trees and yields every path the criteria accept, snapshot by snapshot (oldest
/// first) in tree order. Needs the index loaded; reads only tree blobs.
/// </summary>
public static class SnapshotSearch
{
    public static async IAsyncEnumerable<FindMatch> FindAsync(BlobLoader loader, IEnumerable<Snapshot> snapshots, FindCriteria criteria,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var walker = new TreeWalker(loader);
        foreach (var snapshot in snapshots)
        {
            await foreach (var (path, node) in walker.WalkAsync(snapshot.Tree, "", ct).ConfigureAwait(false))
            {
                if (criteria.Accepts(path, node))
                {
                    yield return new FindMatch(snapshot, path, node);
                }
            }
        }
    }
}
