using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Offsite.Core.Content;

namespace Offsite.Core.Prune;

/// <summary>
/// Every indexed blob copy as a fixed-size record — the first 128 bits of its id, its pack number and stored
/// length — sorted by id, with a "used" bit per record kept apart in memory. No object per blob. Records are
/// collected in chunks of 64 Ki that are sorted and written to an unlinked temporary file as runs; sealing
/// merges the runs into one sorted sequence: an array up to 512 Ki records (12 MiB), beyond that a second
/// file of 4 KiB blocks with each block's first id in memory, so 10 million blobs take ~1 MiB of used bits
/// and ~1 MiB of block starts instead of 240 MiB (docs/design.md, "Memory"). A 128-bit prefix confuses two
/// different blobs with probability below 10^-24 for 10^7 blobs; marking by prefix can only keep more, and
/// the one decision that could lose data (another copy exists, so this pack may go) compares the same
/// prefixes (docs/format.md).
/// </summary>
public sealed class BlobTable : IDisposable
{
    internal const int DefaultChunkRecords = 64 * 1024;
    internal const long DefaultRecordsInMemory = 512 * 1024;
    private const int RecordSize = 24;
    private const int BlockRecords = 4096 / RecordSize;

    private readonly string _scratchDirectory;
    private readonly int _chunkRecords;
    private readonly long _recordsInMemory;
    private Record[]? _chunk;
    private int _inChunk;
    private FileStream? _runFile;
    private readonly List<(long Start, int Count)> _runs = new();
    private long _runRecords;
    private bool _sealed;
    // After sealing: the sorted records in memory, or in _sortedFile with the first key of each block in _blockStarts.
    private Record[] _memory = [];
    private FileStream? _sortedFile;
    private Record[] _blockStarts = [];
    private ulong[] _used = [];
    private readonly BlockReader _lookups = new();
    private readonly BlockReader _scans = new();

    /// <summary>A table whose records go to the system's temporary directory.</summary>
    public BlobTable() : this(Path.GetTempPath())
    {
    }

    /// <param name="scratchDirectory">where the record files are created (and at once unlinked)</param>
    public BlobTable(string scratchDirectory) : this(scratchDirectory, DefaultChunkRecords, DefaultRecordsInMemory)
    {
    }

    /// <param name="chunkRecords">records collected in memory before they are sorted and written out as a run</param>
    /// <param name="recordsInMemory">up to this many records stay in an array once sealed; more stay in a file</param>
    internal BlobTable(string scratchDirectory, int chunkRecords, long recordsInMemory)
    {
        _scratchDirectory = scratchDirectory;
        _chunkRecords = chunkRecords;
        _recordsInMemory = recordsInMemory;
    }

    public long Count { get; private set; }

    /// <summary>Whether the sealed records live in a file (tests and measurements).</summary>
    internal bool OnDisk => _sortedFile is not null;

    public void Add(BlobId id, int pack, int length)
    {
        if (_sealed)
        {
            throw new InvalidOperationException("the table is sealed");
        }
        _chunk ??= new Record[_chunkRecords];
        var (hi, lo) = Key(id);
        _chunk[_inChunk++] = new Record(hi, lo, pack, length & int.MaxValue);
        Count++;
        if (_inChunk == _chunkRecords)
        {
            SpillChunk();
        }
    }

    private void SpillChunk()
    {
        _runFile ??= UnlinkedTempFile.Create(_scratchDirectory, "prune-runs");
        Array.Sort(_chunk!, 0, _inChunk);
        RandomAccess.Write(_runFile.SafeFileHandle, MemoryMarshal.AsBytes(_chunk.AsSpan(0, _inChunk)), _runRecords * RecordSize);
        _runs.Add((_runRecords, _inChunk));
        _runRecords += _inChunk;
        _inChunk = 0;
    }

    /// <summary>Sorts the records into one sequence; the table is read-only afterwards (except for the used bits).</summary>
    public void Seal()
    {
        if (_sealed)
        {
            return;
        }
        _sealed = true;
        _used = new ulong[(Count + 63) / 64];
        if (_runs.Count == 0)
        {
            // Everything fits one chunk: sort it where it is.
            Array.Sort(_chunk ?? [], 0, _inChunk);
            _memory = _chunk ?? [];
            _chunk = null;
            return;
        }
        var cursors = new List<ISortedRun<Record>>(_runs.Count + 1);
        foreach (var (start, count) in _runs)
        {
            cursors.Add(RunCursor<Record>.Over(_runFile!.SafeFileHandle, start, count));
        }
        if (_inChunk > 0)
        {
            Array.Sort(_chunk!, 0, _inChunk);
            cursors.Add(RunCursor<Record>.Over(_chunk!, _inChunk));
        }
        if (Count <= _recordsInMemory)
        {
            _memory = new Record[Count];
            long i = 0;
            foreach (var record in SortedRuns.Merge(cursors))
            {
                _memory[i++] = record;
            }
        }
        else
        {
            WriteSortedFile(SortedRuns.Merge(cursors));
        }
        _chunk = null;
        _runFile!.Dispose();
        _runFile = null;
    }

    private void WriteSortedFile(IEnumerable<Record> sorted)
    {
        _sortedFile = UnlinkedTempFile.Create(_scratchDirectory, "prune-blobs");
        var starts = new Record[(Count + BlockRecords - 1) / BlockRecords];
        var buffer = new Record[16 * BlockRecords];
        int inBuffer = 0;
        long written = 0;
        foreach (var record in sorted)
        {
            long position = written + inBuffer;
            if (position % BlockRecords == 0)
            {
                starts[position / BlockRecords] = record;
            }
            buffer[inBuffer++] = record;
            if (inBuffer == buffer.Length)
            {
                RandomAccess.Write(_sortedFile.SafeFileHandle, MemoryMarshal.AsBytes(buffer.AsSpan()), written * RecordSize);
                written += inBuffer;
                inBuffer = 0;
            }
        }
        RandomAccess.Write(_sortedFile.SafeFileHandle, MemoryMarshal.AsBytes(buffer.AsSpan(0, inBuffer)), written * RecordSize);
        _blockStarts = starts;
    }

    /// <summary>Marks every copy of the blob used; false when no index has it.</summary>
    public bool MarkUsed(BlobId id)
    {
        var (hi, lo) = Key(id);
        bool found = false;
        for (long i = LowerBound(hi, lo); i < Count && Matches(At(i, _lookups), hi, lo); i++)
        {
            _used[i >> 6] |= 1UL << (int)(i & 63);
            found = true;
        }
        return found;
    }

    public bool IsUsed(BlobId id)
    {
        var (hi, lo) = Key(id);
        for (long i = LowerBound(hi, lo); i < Count && Matches(At(i, _lookups), hi, lo); i++)
        {
            if (Used(i))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Calls <paramref name="visit"/> for every record: (pack, stored length, used).</summary>
    public void ForEach(Action<int, int, bool> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        RequireSealed();
        for (long i = 0; i < Count; i++)
        {
            var record = At(i, _scans);
            visit(record.Pack, record.Length, Used(i));
        }
    }

    /// <summary>
    /// True when every used blob stored in a pack of <paramref name="leaving"/> also has a copy in a pack for which
    /// <paramref name="staying"/> is true: then deleting those packs loses nothing a snapshot needs.
    /// Returns the packs of <paramref name="leaving"/> that hold a used blob with no such copy.
    /// </summary>
    public HashSet<int> PacksWithOnlyCopies(IReadOnlySet<int> leaving, Func<int, bool> staying)
    {
        ArgumentNullException.ThrowIfNull(leaving);
        ArgumentNullException.ThrowIfNull(staying);
        RequireSealed();
        var needed = new HashSet<int>();
        for (long i = 0; i < Count; i++)
        {
            if (!Used(i))
            {
                continue;
            }
            var record = At(i, _scans);
            if (!leaving.Contains(record.Pack) || needed.Contains(record.Pack))
            {
                continue;
            }
            if (!HasCopyIn(record.Hi, record.Lo, staying))
            {
                needed.Add(record.Pack);
            }
        }
        return needed;
    }

    private bool HasCopyIn(ulong hi, ulong lo, Func<int, bool> staying)
    {
        for (long i = LowerBound(hi, lo); i < Count; i++)
        {
            var record = At(i, _lookups);
            if (!Matches(record, hi, lo))
            {
                break;
            }
            if (staying(record.Pack))
            {
                return true;
            }
        }
        return false;
    }

    private bool Used(long i) => (_used[i >> 6] & (1UL << (int)(i & 63))) != 0;

    private static bool Matches(in Record record, ulong hi, ulong lo) => record.Hi == hi && record.Lo == lo;

    private void RequireSealed()
    {
        if (!_sealed)
        {
            throw new InvalidOperationException("the table is not sealed");
        }
    }

    private Record At(long i, BlockReader reader)
    {
        if (_sortedFile is null)
        {
            return _memory[i];
        }
        return reader.Read(_sortedFile.SafeFileHandle, i, Count);
    }

    /// <summary>The first position whose id is at least (hi, lo).</summary>
    private long LowerBound(ulong hi, ulong lo)
    {
        RequireSealed();
        var key = new Record(hi, lo, 0, 0);
        if (_sortedFile is null)
        {
            return LowerBound(_memory.AsSpan(0, (int)Count), key);
        }
        // The first block starting at or after the id: the answer is in the block before it, or is its start.
        int after = LowerBound(_blockStarts, key);
        if (after == 0)
        {
            return 0;
        }
        long block = after - 1;
        var records = _lookups.Block(_sortedFile.SafeFileHandle, block, Count);
        return block * BlockRecords + LowerBound(records, key);
    }

    private static int LowerBound(ReadOnlySpan<Record> records, in Record key)
    {
        int a = 0, b = records.Length;
        while (a < b)
        {
            int m = (a + b) >>> 1;
            if (records[m].CompareTo(key) < 0)
            {
                a = m + 1;
            }
            else
            {
                b = m;
            }
        }
        return a;
    }

    private static (ulong Hi, ulong Lo) Key(BlobId id)
    {
        Span<byte> bytes = stackalloc byte[BlobId.Size];
        id.WriteTo(bytes);
        return (BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    public void Dispose()
    {
        _runFile?.Dispose();
        _sortedFile?.Dispose();
    }

    private readonly record struct Record(ulong Hi, ulong Lo, int Pack, int Length) : IComparable<Record>
    {
        public int CompareTo(Record other)
        {
            int c = Hi.CompareTo(other.Hi);
            return c != 0 ? c : Lo.CompareTo(other.Lo);
        }
    }

    /// <summary>The last 4 KiB block read from the sorted file, for one kind of access (lookups or scans).</summary>
    private sealed class BlockReader
    {
        private readonly Record[] _block = new Record[BlockRecords];
        private long _loaded = -1;
        private int _length;

        public Record Read(SafeFileHandle file, long position, long count)
        {
            var block = Block(file, position / BlockRecords, count);
            return block[(int)(position % BlockRecords)];
        }

        public ReadOnlySpan<Record> Block(SafeFileHandle file, long block, long count)
        {
            if (block != _loaded)
            {
                _length = (int)Math.Min(BlockRecords, count - block * BlockRecords);
                SortedRuns.ReadRecords(file, block * BlockRecords, _block.AsSpan(0, _length), "prune's blob table file");
                _loaded = block;
            }
            return _block.AsSpan(0, _length);
        }
    }
}
