using Offsite.Core.Content;

namespace Offsite.Core.Cache;

/// <summary>
/// The previous run's files cache, read once from start to end while the archiver walks the source
/// in the same order: a lookup moves forward past the files that no longer exist and never goes
/// back. Keys asked out of order only miss (the file is read again); nothing wrong is ever returned,
/// because a hit needs the exact key. A missing, old-format or damaged file is an empty cache.
/// </summary>
public sealed class FilesCacheReader : IDisposable
{
    private readonly BinaryReader? _reader;
    private string? _key;
    private FilesCache.Entry _entry;

    private FilesCacheReader(BinaryReader? reader)
    {
        _reader = reader;
        Advance();
    }

    public static FilesCacheReader Empty => new(null);

    public static FilesCacheReader Open(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return Empty;
        }
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        var reader = new BinaryReader(stream);
        try
        {
            if (stream.Length >= 4 && reader.ReadUInt32() == FilesCache.Magic)
            {
                return new FilesCacheReader(reader);
            }
        }
        catch (IOException)
        {
            // unreadable cache: fall through to an empty one (it only costs re-reading files)
        }
        reader.Dispose();
        return Empty;
    }

    /// <summary>The entry for <paramref name="key"/>, when the previous run had one.</summary>
    public bool TryGet(string key, out FilesCache.Entry entry)
    {
        while (_key is not null)
        {
            int c = FilesCache.CompareInWalkOrder(_key, key);
            if (c == 0)
            {
                entry = _entry;
                Advance();
                return true;
            }
            if (c > 0) break; // the cache is past this key: a new file (or one asked out of order)
            Advance();
        }
        entry = default;
        return false;
    }

    private void Advance()
    {
        _key = null;
        if (_reader is null) return;
        try
        {
            if (_reader.BaseStream.Position >= _reader.BaseStream.Length) return;
            string key = _reader.ReadString();
            long mtime = _reader.ReadInt64(), ctime = _reader.ReadInt64(), size = _reader.ReadInt64();
            ulong inode = _reader.ReadUInt64();
            int count = _reader.Read7BitEncodedInt();
            if (count < 0 || count > size + 1)
            {
                return; // damaged: a blob per byte is the most a file can have
            }
            var content = new BlobId[count];
            Span<byte> id = stackalloc byte[BlobId.Size];
            for (int j = 0; j < count; j++)
            {
                _reader.BaseStream.ReadExactly(id);
                content[j] = new BlobId(id);
            }
            _entry = new FilesCache.Entry(mtime, ctime, size, inode, content);
            _key = key;
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException)
        {
            // A torn or damaged cache ends here: the rest of the files are read again.
            _key = null;
        }
    }

    public void Dispose() => _reader?.Dispose();
}
