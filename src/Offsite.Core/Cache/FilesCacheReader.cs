using Offsite.Core.Content;

namespace Offsite.Core.Cache;

/// <summary>
/// The previous run's files cache, read from start to end while the archiver walks the source in the
/// same order: a lookup moves forward past the files that no longer exist. A lookup that goes back
/// (a read-ahead source asks about a directory's files before the archiver descends into an earlier
/// subdirectory) seeks back to the nearest mark — every <see cref="MarkEvery"/>th record's key and
/// offset, kept as the reader passes — and reads forward from there. Nothing wrong is ever returned,
/// because a hit needs the exact key. A missing, old-format or damaged file is an empty cache.
/// </summary>
public sealed class FilesCacheReader : IDisposable
{
    /// <summary>Records between marks: a backward lookup re-reads at most this many; marks cost ~1 MiB per 3 M files.</summary>
    internal const int MarkEvery = 256;
    private readonly BinaryReader? _reader;
    private readonly List<(string Key, long Offset)> _marks = new();
    private long _records;
    private string? _key;
    private FilesCache.Entry _entry;
    private string? _lastAsked;

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
        if (_lastAsked is not null && FilesCache.CompareInWalkOrder(key, _lastAsked) < 0)
        {
            SeekBackTo(key);
        }
        _lastAsked = key;
        while (_key is not null)
        {
            int c = FilesCache.CompareInWalkOrder(_key, key);
            if (c == 0)
            {
                entry = _entry;
                return true;
            }
            if (c > 0) break; // the cache is past this key: a new file
            Advance();
        }
        entry = default;
        return false;
    }

    /// <summary>Positions the reader at the last mark at or before <paramref name="key"/> (or the first record).</summary>
    private void SeekBackTo(string key)
    {
        if (_reader is null) return;
        int lo = 0, hi = _marks.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (FilesCache.CompareInWalkOrder(_marks[mid].Key, key) <= 0) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (found < 0)
        {
            _reader.BaseStream.Position = sizeof(uint);
            _records = 0;
        }
        else
        {
            _reader.BaseStream.Position = _marks[found].Offset;
            _records = (long)found * MarkEvery;
        }
        Advance();
    }

    private void Advance()
    {
        _key = null;
        if (_reader is null) return;
        try
        {
            var stream = _reader.BaseStream;
            long start = stream.Position;
            if (start >= stream.Length) return;
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
                stream.ReadExactly(id);
                content[j] = new BlobId(id);
            }
            if (_records % MarkEvery == 0 && _records / MarkEvery == _marks.Count)
            {
                _marks.Add((key, start));
            }
            _records++;
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
