using Offsite.Core.Content;

namespace Offsite.Core.Cache;

/// <summary>
/// The previous run's files cache, read from start to end while the archiver walks the source in the
/// same order: a lookup moves forward past the files that no longer exist. A lookup that goes back
/// (a read-ahead source asks about a directory's files before the archiver descends into an earlier
/// subdirectory) seeks back to the nearest mark — every <see cref="MarkEvery"/>th record's key and
/// offset, kept as the reader passes — and reads forward from there. Nothing wrong is ever returned,
/// because a hit needs the exact key. Entries the writer got out of order are in a trailer, loaded
/// whole when the file opens. A missing, old-format or damaged file is an empty cache.
/// </summary>
public sealed class FilesCacheReader : IDisposable
{
    /// <summary>Records between marks: a backward lookup re-reads at most this many; marks cost ~1 MiB per 3 M files.</summary>
    internal const int MarkEvery = 256;
    private readonly BinaryReader? _reader;
    private readonly long _orderedEnd;
    private readonly Dictionary<string, FilesCache.Entry> _unordered = new(StringComparer.Ordinal);
    private readonly List<(string Key, long Offset)> _marks = new();
    private long _records;
    private string? _key;
    private FilesCache.Entry _entry;
    private string? _lastAsked;

    private FilesCacheReader(BinaryReader? reader, long trailer = 0)
    {
        _reader = reader;
        _orderedEnd = reader is null ? 0 : trailer > 0 ? trailer : reader.BaseStream.Length;
        if (reader is not null && trailer > 0)
        {
            LoadTrailer(reader, trailer);
        }
        Advance();
    }

    private const long FirstRecord = sizeof(uint) + sizeof(long);

    private void LoadTrailer(BinaryReader reader, long trailer)
    {
        try
        {
            reader.BaseStream.Position = trailer;
            int count = reader.ReadInt32();
            for (int i = 0; i < count && ReadRecord(reader) is var (key, entry); i++)
            {
                _unordered[key] = entry;
            }
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException)
        {
            // a torn trailer: the entries read so far still count
        }
        reader.BaseStream.Position = FirstRecord;
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
            if (stream.Length >= FirstRecord && reader.ReadUInt32() == FilesCache.Magic)
            {
                long trailer = reader.ReadInt64();
                return new FilesCacheReader(reader, trailer >= FirstRecord && trailer < stream.Length ? trailer : 0);
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
        if (_unordered.Count > 0 && _unordered.TryGetValue(key, out entry))
        {
            return true;
        }
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
            _reader.BaseStream.Position = FirstRecord;
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
            long start = _reader.BaseStream.Position;
            if (start >= _orderedEnd || ReadRecord(_reader) is not var (key, entry)) return;
            if (_records % MarkEvery == 0 && _records / MarkEvery == _marks.Count)
            {
                _marks.Add((key, start));
            }
            _records++;
            _entry = entry;
            _key = key;
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException)
        {
            // A torn or damaged cache ends here: the rest of the files are read again.
            _key = null;
        }
    }

    /// <summary>One record, or null when it is implausible (damage).</summary>
    private static (string Key, FilesCache.Entry Entry)? ReadRecord(BinaryReader reader)
    {
        string key = reader.ReadString();
        long mtime = reader.ReadInt64(), ctime = reader.ReadInt64(), size = reader.ReadInt64();
        ulong inode = reader.ReadUInt64();
        int count = reader.Read7BitEncodedInt();
        if (count < 0 || count > size + 1)
        {
            return null; // a blob per byte is the most a file can have
        }
        var content = new BlobId[count];
        Span<byte> id = stackalloc byte[BlobId.Size];
        for (int j = 0; j < count; j++)
        {
            reader.BaseStream.ReadExactly(id);
            content[j] = new BlobId(id);
        }
        return (key, new FilesCache.Entry(mtime, ctime, size, inode, content));
    }

    public void Dispose() => _reader?.Dispose();
}
