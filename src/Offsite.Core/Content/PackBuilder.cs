using Offsite.Crypto.Age;

namespace Offsite.Core.Content;

/// <summary>
/// Builds one pack and seals it as it grows: each blob's stored bytes go through an age stream into a
/// temporary file that is unlinked as soon as it is created. A pack being filled or uploaded therefore
/// costs a file in the page cache, not a buffer of its size (restic spills packs to temporary files for
/// the same reason); with one open pack per blob type and two uploads in flight, buffers were 85 MiB of
/// a backup's memory. <see cref="Finish"/> appends the table and trailer and names the pack by the
/// SHA-256 of what was written, which it hashed on the way out.
/// </summary>
public sealed class PackBuilder : IDisposable
{
    /// <summary>Table entries encoded per write into the age stream.</summary>
    private const int EntriesPerWrite = 64;

    private readonly FileStream _file;
    private readonly Sha256WriteStream _hashing;
    private readonly Stream _age;
    private readonly List<PackEntry> _entries = new();
    private readonly string _directory;
    private int _length;
    private string? _id;

    /// <param name="directory">where the temporary file goes (next to the cache, a disk, usually)</param>
    /// <param name="recipient">the repository's recipient</param>
    public PackBuilder(string directory, IRecipient recipient)
    {
        _directory = directory;
        _file = CreateUnlinked(directory);
        _hashing = new Sha256WriteStream(_file);
        _age = Guard(() => AgeFile.OpenWrite(_hashing, [recipient], leaveOpen: true));
    }

    /// <summary>Plaintext bytes of the blobs added so far.</summary>
    public int Length => _length;
    public int Count => _entries.Count;
    public IReadOnlyList<PackEntry> Entries => _entries;

    /// <summary>The pack's id, known after <see cref="Finish"/>.</summary>
    public string Id => _id ?? throw new InvalidOperationException("the pack is not finished");

    /// <summary>Stored (sealed) size, complete after <see cref="Finish"/>.</summary>
    public long StoredLength => _hashing.Written;

    public void Add(BlobId id, BlobType type, BlobCompression compression, int rawLength, ReadOnlySpan<byte> stored)
    {
        if (_id is not null)
        {
            throw new InvalidOperationException("the pack is finished");
        }
        Write(stored);
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
            Write(batch[..(n * PackFormat.EntrySize)]);
        }
        PackFormat.WriteTrailer(batch[..PackFormat.TrailerSize], _entries.Count);
        Write(batch[..PackFormat.TrailerSize]);
        Guard(() => { _age.Dispose(); return 0; }); // encrypts and writes the final chunk
        _id = _hashing.FinishId();
        return _id;
    }

    /// <summary>
    /// The sealed pack, from its first byte, for an upload or a copy into the cache. The stream is the
    /// builder's own: do not dispose it, and read it from one place at a time.
    /// </summary>
    public Stream OpenSealed()
    {
        _ = Id;
        _file.Position = 0;
        return _file;
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        try
        {
            _age.Write(data);
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
    }

    private T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
    }

    private IOException Failure(IOException e) =>
        new($"writing a pack's temporary file in {_directory}: {e.Message}", e);

    private static FileStream CreateUnlinked(string directory)
    {
        try
        {
            return UnlinkedTempFile.Create(directory, "pack");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot create a pack's temporary file in {directory}: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        if (_id is null)
        {
            _hashing.Discard(); // abandoned: its final chunk need not reach the file (which may be what failed)
        }
        _age.Dispose();
        _hashing.Dispose();
        _file.Dispose();
    }
}
