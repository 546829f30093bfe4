namespace Offsite.Core.Content;

/// <summary>A pack as the index knows it, with its blob table.</summary>
public sealed record PackInfo(string Id, DateTimeOffset Created, long Size, IReadOnlyList<PackEntry> Entries)
{
    /// <summary>A pack of tree blobs only (metadata): the kind the local cache keeps.</summary>
    public bool HoldsOnlyTrees => _holdsOnlyTrees ??= Entries.Count > 0 && Entries.All(e => e.Type == BlobType.Tree);

    // Remembered: the index's tables are read from disk, and the blob loader asks for every pack it fetches.
    private bool? _holdsOnlyTrees;

    public IndexPack ToIndexPack() => new()
    {
        Id = Id,
        Created = Created,
        Size = Size,
        Blobs = Entries.Select(e => new IndexBlob
        {
            Id = e.Id.ToString(),
            Type = e.Type,
            Compression = e.Compression,
            Offset = e.Offset,
            Length = e.Length,
            RawLength = e.RawLength,
        }).ToList(),
    };

    public static PackInfo FromIndexPack(IndexPack p) => new(p.Id, p.Created, p.Size,
        p.Blobs.Select(b => new PackEntry(BlobId.Parse(b.Id), b.Type, b.Compression, b.Offset, b.Length, b.RawLength)).ToList());
}
