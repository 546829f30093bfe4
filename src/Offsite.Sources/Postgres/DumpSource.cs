using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;
using Offsite.Core.Trees;

namespace Offsite.Sources.Postgres;

/// <summary>
/// The dump file of a database snapshot, read back in order with a few blobs loaded ahead
/// (decrypting and decompressing overlap with the restore program consuming the previous ones).
/// </summary>
public sealed class DumpSource
{
    private const int Prefetch = ContentReader.DefaultPrefetch;
    private readonly BlobLoader _loader;
    private readonly IReadOnlyList<string> _content;
    private byte[]? _first;

    private DumpSource(BlobLoader loader, Snapshot snapshot, Node file)
    {
        _loader = loader;
        Snapshot = snapshot;
        FileName = file.DisplayName;
        Size = file.Size;
        _content = file.Content ?? [];
    }

    public Snapshot Snapshot { get; }

    public string FileName { get; }

    public long Size { get; }

    /// <summary>The globals of a server (pg_dumpall --globals-only) rather than one database.</summary>
    public bool IsGlobals => Snapshot.Source.EndsWith("/globals", StringComparison.Ordinal) && FileName == "globals.sql";

    /// <summary>Opens the one file of a stream snapshot (what <c>offsite backup postgres://…</c> writes).</summary>
    public static async Task<DumpSource> OpenAsync(BlobLoader loader, Snapshot snapshot, CancellationToken cancellationToken)
    {
        var root = await new TreeWalker(loader).LoadTreeAsync(snapshot.Tree, cancellationToken).ConfigureAwait(false);
        if (root.Nodes.Count != 1 || root.Nodes[0].Type != NodeType.File)
        {
            throw new OffsiteException(ErrorKind.Usage, $"snapshot {snapshot.Id[..8]} ({snapshot.Source}) is not a database dump: restore it into a directory (--target DIR)");
        }
        return new DumpSource(loader, snapshot, root.Nodes[0]);
    }

    /// <summary>custom or plain, from the first bytes.</summary>
    public async Task<PgDumpFormat> DetectFormatAsync(CancellationToken cancellationToken)
    {
        if (_content.Count == 0)
        {
            return PgDumpFormat.Plain;
        }
        _first ??= await _loader.LoadAsync(BlobId.Parse(_content[0]), cancellationToken).ConfigureAwait(false);
        return PgDumpFormats.Detect(_first);
    }

    /// <summary>Writes the whole dump to every destination, in order.</summary>
    public Task CopyToAsync(IReadOnlyList<Stream> destinations, CancellationToken cancellationToken) =>
        ContentReader.CopyToAsync(_loader, _content, destinations, cancellationToken, Prefetch, _first);
}
