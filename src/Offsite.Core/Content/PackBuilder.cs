using Offsite.Crypto.Age;

namespace Offsite.Core.Content;

/// <summary>
/// Builds one pack and seals it as it grows: each blob's stored bytes go through an age stream into a
/// temporary file that is unlinked as soon as it is created (<see cref="SealedTempFile"/>). A pack being
/// filled or uploaded therefore costs a file in the page cache, not a buffer of its size (restic spills
/// packs to temporary files for the same reason); with one open pack per blob type and two uploads in
/// flight, buffers were 85 MiB of a backup's memory. <see cref="Finish"/> appends the table and trailer
/// and names the pack by the SHA-256 of what was written, which was hashed on the way out.
/// </summary>
public sealed class PackBuilder : IDisposable
{
    /// <summary>Table entries encoded per write into the age stream.</summary>
    private const int EntriesPerWrite = 64;

    private readonly SealedTempFile _sealed;
    private readonly List<PackEntry> _entries = new();
    private int _length;

    /// <param name="directory">where the temporary file goes (next to the cache, a disk, usually)</param>
    /// <param name="recipient">the repository's recipient</param>
    public PackBuilder(string directory, IRecipient recipient) =>
        _sealed = new SealedTempFile(directory, "pack", recipient);

    /// <summary>Plaintext bytes of the blobs added so far.</summary>
    public int Length => _length;
    public int Count => _entries.Count;
    public IReadOnlyList<PackEntry> Entries => _entries;

    /// <summary>The pack's id, known after <see cref="Finish"/>.</summary>
    public string Id => _sealed.Id;

    /// <summary>Stored (sealed) size, complete after <see cref="Finish"/>.</summary>
    public long StoredLength => _sealed.StoredLength;

    public void Add(BlobId id, BlobType type, BlobCompression compression, int rawLength, ReadOnlySpan<byte> stored)
    {
        if (_sealed.IsFinished)
        {
            throw new InvalidOperationException("the pack is finished");
        }
        _sealed.Write(stored);
        _entries.Add(new PackEntry(id, type, compression, _length, stored.Length, rawLength));
        _length = checked(_length + stored.Length);
    }

    /// <summary>Appends the table and trailer, closes the age stream and returns the pack's id.</summary>
    public string Finish()
    {
        Span<byte> batch = stackalloc byte[EntriesPerWrite * PackFormat.EntrySize];
        for (int start = 0; start < _entries.Count; start += EntriesPerWrite)
        {
            int n = Math.Min(EntriesPerWrite, _entries.Count - start);
            for (int i = 0; i < n; i++)
            {
                PackFormat.WriteEntry(batch.Slice(i * PackFormat.EntrySize, PackFormat.EntrySize), _entries[start + i]);
            }
            _sealed.Write(batch[..(n * PackFormat.EntrySize)]);
        }
        PackFormat.WriteTrailer(batch[..PackFormat.TrailerSize], _entries.Count);
        _sealed.Write(batch[..PackFormat.TrailerSize]);
        return _sealed.Finish();
    }

    /// <inheritdoc cref="SealedTempFile.OpenSealed"/>
    public Stream OpenSealed() => _sealed.OpenSealed();

    /// <summary>Discards an unfinished pack; a finished one's file goes with it too.</summary>
    public void Dispose() => _sealed.Dispose();
}
