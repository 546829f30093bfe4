using System.Runtime.CompilerServices;
using Offsite.App.Restore;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;
using Offsite.Core.Trees;
using Offsite.Sources.S3;
using Offsite.Storage.S3;

namespace Offsite.App.Sources.S3;

/// <summary>
/// Restores a snapshot into a bucket. For a snapshot of a bucket, tree paths are decoded back into
/// the original keys (docs/sources/s3.md, "Key encoding") below the target prefix, with their
/// metadata; noncurrent versions are left out (a bucket has one current object per key). For a
/// snapshot of local files, each regular file's path becomes its key. <see cref="RestoreReport.Details"/>
/// is the <see cref="S3RestoreOutcome"/>.
/// </summary>
public sealed class S3Target(S3BucketSettings settings, S3ExistingKeys existing) : IRestoreTarget
{
    public string Display => settings.Location;

    public S3ExistingKeys Existing => existing;

    public async Task<RestoreReport> RestoreAsync(Core.Repository.Repository repository, Snapshot snapshot, CancellationToken cancellationToken)
    {
        long started = repository.Runtime.Clock.GetTimestamp();
        using var client = S3ClientFactory.Create(settings.Options);
        var writer = new S3BucketWriter(client, settings, existing);
        bool empty = await writer.TargetIsEmptyAsync(cancellationToken).ConfigureAwait(false);
        var walk = new SnapshotKeys(new TreeWalker(new BlobLoader(repository, maxCachedPacks: 1)), snapshot, settings.Options.NormalizedPrefix);
        if (existing == S3ExistingKeys.Refuse && !empty)
        {
            var (count, first) = await writer.FindExistingAsync(walk.UploadsAsync(cancellationToken), 3, cancellationToken).ConfigureAwait(false);
            if (count > 0)
            {
                throw new OffsiteException(ErrorKind.Usage, $"restore target {Display}: {count} key(s) exist already ({string.Join(", ", first)}{(count > first.Count ? ", …" : "")}); "
                    + "nothing was uploaded: give --overwrite to replace them or --only-missing to upload only the others (only_missing/overwrite in a restore: section)");
            }
            walk = walk.Again();
        }
        var data = new BlobLoader(repository, maxCachedPacks: 4);
        var outcome = await writer.UploadAsync(walk.UploadsAsync(cancellationToken), data, cancellationToken).ConfigureAwait(false);
        var errors = walk.Errors.Concat(outcome.Errors).Concat(writer.AbortFailures).ToList();
        outcome = outcome with { NoncurrentLeftOut = walk.NoncurrentLeftOut, Errors = errors };
        double seconds = repository.Runtime.Clock.GetElapsedTime(started).TotalSeconds;
        return new RestoreReport(outcome.Uploaded, 0, outcome.Bytes, seconds, errors, outcome);
    }

    /// <summary>The files of a snapshot with the keys they get; what cannot become a key is an error.</summary>
    private sealed class SnapshotKeys(TreeWalker trees, Snapshot snapshot, string targetPrefix)
    {
        private readonly bool _fromBucket = snapshot.Paths.Count > 0 && S3BucketConnection.IsBucketUrl(snapshot.Paths[0]);

        public List<string> Errors { get; } = [];

        public long NoncurrentLeftOut { get; private set; }

        public SnapshotKeys Again() => new(trees, snapshot, targetPrefix);

        public IAsyncEnumerable<S3Upload> UploadsAsync(CancellationToken ct) => WalkAsync(snapshot.Tree, [], ct);

        private async IAsyncEnumerable<S3Upload> WalkAsync(string treeId, List<string> names, [EnumeratorCancellation] CancellationToken ct)
        {
            var tree = await trees.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
            foreach (var node in tree.Nodes)
            {
                names.Add(node.DisplayName);
                if (node.Type == NodeType.Directory && node.Subtree is { } subtree)
                {
                    await foreach (var upload in WalkAsync(subtree, names, ct).ConfigureAwait(false))
                    {
                        yield return upload;
                    }
                }
                else if (node.Type == NodeType.File && KeyOf(names, node) is { } key)
                {
                    yield return new S3Upload(targetPrefix + key, node);
                }
                names.RemoveAt(names.Count - 1);
            }
        }

        private string? KeyOf(List<string> names, Node node)
        {
            if (!_fromBucket)
            {
                return string.Join('/', names);
            }
            try
            {
                var (key, versionId) = S3KeyCodec.KeyOf(names);
                if (versionId is not null || node.Object?.Latest == false)
                {
                    NoncurrentLeftOut++;
                    return null;
                }
                return key;
            }
            catch (FormatException e)
            {
                Errors.Add($"/{string.Join('/', names)}: not a key of this bucket snapshot ({e.Message})");
                return null;
            }
        }
    }
}
