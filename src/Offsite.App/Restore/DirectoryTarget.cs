using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Restore;
using Offsite.Core.Snapshots;

namespace Offsite.App.Restore;

/// <summary>
/// Restores a snapshot's tree (or the paths matching <c>--include</c>) into a local directory; entries
/// already there are treated as <paramref name="overwrite"/> says. With <paramref name="refuseSourceTarget"/> (a
/// user-named directory) it refuses to restore into the directories the snapshot was taken from.
/// </summary>
public sealed class DirectoryTarget(string path, IReadOnlyList<string> includes,
    OverwritePolicy overwrite = OverwritePolicy.IfChanged, bool refuseSourceTarget = false) : IRestoreTarget
{
    public string Display => path;

    public OverwritePolicy Overwrite => overwrite;

    /// <summary>The same target with the command line's --overwrite (when given) and source-target check.</summary>
    public DirectoryTarget With(OverwritePolicy? newOverwrite, bool newRefuseSourceTarget) =>
        new(path, includes, newOverwrite ?? overwrite, newRefuseSourceTarget);

    public async Task<RestoreReport> RestoreAsync(Core.Repository.Repository repo, Snapshot snapshot, CancellationToken cancellationToken)
    {
        if (refuseSourceTarget)
        {
            SourceTargetGuard.Check(path, snapshot);
        }
        var filter = new PathFilter(includes);
        // A partial restore walks the trees along its paths only: read those blobs, not whole tree packs.
        var trees = new BlobLoader(repo, maxCachedPacks: 1, singleBlobReads: filter.IsEverything ? 0 : 16, localTreeRanges: true);
        var data = new BlobLoader(repo, maxCachedPacks: 2); // the plan reads each pack once, two at a time
        var restorer = new Restorer(trees.LoadTreeAsync, data.ReadPackAsync,
            id => repo.Index.Find(id) is { } at ? (at.Pack.Id, at.Entry.RawLength) : null,
            filter, existing: new ExistingEntryCheck(overwrite, repo.Key.BlobIdKey));
        long started = repo.Runtime.Clock.GetTimestamp();
        bool targetExisted = Directory.Exists(path);
        var result = await restorer.RestoreAsync(BlobId.Parse(snapshot.Tree), path, cancellationToken).ConfigureAwait(false);
        if (!filter.IsEverything && !result.Matched)
        {
            if (!targetExisted && !Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path); // made for this restore, which wrote nothing
            }
            throw new OffsiteException(ErrorKind.NotFound,
                $"--include {string.Join(", ", filter.Patterns.Select(p => $"'{p}'"))} matches nothing in snapshot {snapshot.Id[..8]}; nothing was restored");
        }
        double seconds = repo.Runtime.Clock.GetElapsedTime(started).TotalSeconds;
        return new RestoreReport(result.Files, result.Directories, result.Bytes, seconds, result.Errors, result);
    }
}
