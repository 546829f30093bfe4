using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;
using Offsite.Core.Trees;

namespace Offsite.Sources.Http;

/// <summary>
/// The one file of a stream snapshot (what an HTTP source wrote), read back in order with a few
/// blobs loaded ahead: what a restore target sends to a server or writes out.
/// </summary>
public sealed class SnapshotFile
{
    private readonly BlobLoader _loader;
    private readonly IReadOnlyList<string> _content;

    private SnapshotFile(BlobLoader loader, Snapshot snapshot, Node file)
    {
        _loader = loader;
        Snapshot = snapshot;
        Name = file.DisplayName;
        Size = file.Size;
        _content = file.Content ?? [];
    }

    public Snapshot Snapshot { get; }

    public string Name { get; }

    public long Size { get; }

    public static async Task<SnapshotFile> OpenAsync(BlobLoader loader, Snapshot snapshot, string targetWhat, CancellationToken cancellationToken)
    {
        var root = await new TreeWalker(loader).LoadTreeAsync(snapshot.Tree, cancellationToken).ConfigureAwait(false);
        if (root.Nodes.Count != 1 || root.Nodes[0].Type != NodeType.File)
        {
            throw new OffsiteException(ErrorKind.Usage, $"snapshot {snapshot.Id[..8]} ({snapshot.Source}) is not a single-file snapshot, so it cannot be restored to {targetWhat}: restore it into a directory (--target DIR)");
        }
        return new SnapshotFile(loader, snapshot, root.Nodes[0]);
    }

    public Task CopyToAsync(Stream destination, CancellationToken cancellationToken) =>
        ContentReader.CopyToAsync(_loader, _content, [destination], cancellationToken, ContentReader.DefaultPrefetch, null);
}
