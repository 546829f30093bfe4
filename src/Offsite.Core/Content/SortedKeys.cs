using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Offsite.Core.Content;

/// <summary>
/// The master index's sorted 8-byte keys. While they are few they are an array; beyond
/// <c>keysInMemory</c> they are an unlinked temporary file of 4 KiB blocks (512 keys) with only each
/// block's first key in memory (8 bytes per 512 keys: 47 KiB at 3 M blobs instead of 24 MiB), so a
/// lookup bisects the block starts and reads one block. The kernel's page cache keeps the hot blocks,
/// outside the process. Built once, in key order, by <see cref="Builder"/>; read-only afterwards.
/// Not thread-safe (the last block read is kept): <see cref="MasterIndex"/> serializes lookups.
/// </summary>
internal sealed class SortedKeys : IDisposable
{
    public const int BlockKeys = 512;

    private readonly ulong[]? _memory;
    private readonly FileStream? _file;
    private readonly SafeFileHandle? _handle;
    private readonly ulong[] _blockStarts;
    private readonly ulong[] _block = [];
    private long _loadedBlock = -1;

    public static SortedKeys Empty() => new([], 0);

    private SortedKeys(ulong[] memory, long count)
    {
        _memory = memory;
        _blockStarts = [];
        Count = count;
    }

    private SortedKeys(FileStream file, ulong[] blockStarts, long count)
    {
        _file = file;
        _handle = file.SafeFileHandle;
        _blockStarts = blockStarts;
        _block = new ulong[BlockKeys];
        Count = count;
    }

    public long Count { get; }

    /// <summary>True when the keys live in a file (for tests and the memory figures).</summary>
    public bool OnDisk => _file is not null;

    public ulong this[long position]
    {
        get
        {
            if (_memory is not null)
            {
                return _memory[position];
            }
            LoadBlock(position / BlockKeys);
            return _block[(int)(position % BlockKeys)];
        }
    }

    /// <summary>The first position whose key is at least <paramref name="key"/> (<see cref="Count"/> when none is).</summary>
    public long LowerBound(ulong key)
    {
        if (_memory is not null)
        {
            return LowerBound(_memory.AsSpan(0, (int)Count), key);
        }
        // The first block starting at or after the key; the answer is in the block before it, or is its start.
        int after = LowerBound(_blockStarts, key);
        if (after == 0)
        {
            return 0;
        }
        long block = after - 1;
        LoadBlock(block);
        int inBlock = (int)Math.Min(BlockKeys, Count - block * BlockKeys);
        return block * BlockKeys + LowerBound(_block.AsSpan(0, inBlock), key);
    }

    private static int LowerBound(ReadOnlySpan<ulong> keys, ulong key)
    {
        int lo = 0, hi = keys.Length;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (keys[mid] < key) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private void LoadBlock(long block)
    {
        if (block == _loadedBlock)
        {
            return;
        }
        int keys = (int)Math.Min(BlockKeys, Count - block * BlockKeys);
        SortedRuns.ReadRecords(_handle!, block * BlockKeys, _block.AsSpan(0, keys), "the index's key file");
        _loadedBlock = block;
    }

    /// <summary>Reads the keys in order, leaving out the positions in <paramref name="skip"/> (sorted).</summary>
    public RunCursor<ulong> OpenCursor(long[] skip) =>
        _memory is not null ? RunCursor<ulong>.Over(_memory, (int)Count, skip) : RunCursor<ulong>.Over(_handle!, 0, Count, skip);

    public void Dispose() => _file?.Dispose();

    /// <summary>Takes keys in ascending order and makes a <see cref="SortedKeys"/> of them.</summary>
    internal sealed class Builder : IDisposable
    {
        private const int BufferKeys = 8 * BlockKeys; // 32 KiB writes
        private readonly ulong[]? _memory;
        private readonly FileStream? _file;
        private readonly ulong[] _buffer = [];
        private readonly List<ulong> _blockStarts = new();
        private int _inBuffer;
        private long _count;
        private long _written;
        private ulong _last;
        private bool _built;

        /// <param name="directory">where the key file is created (and at once unlinked) when the keys go to disk</param>
        /// <param name="capacity">the most keys that will be added</param>
        /// <param name="keysInMemory">up to this many keys stay in an array</param>
        public Builder(string directory, long capacity, long keysInMemory)
        {
            if (capacity <= keysInMemory)
            {
                _memory = new ulong[capacity];
            }
            else
            {
                _file = UnlinkedTempFile.Create(directory, "index-keys");
                _buffer = new ulong[BufferKeys];
            }
        }

        public void Add(ulong key)
        {
            if (_count > 0 && key < _last)
            {
                throw new InvalidOperationException("index keys must be added in ascending order");
            }
            _last = key;
            if (_memory is not null)
            {
                _memory[_count++] = key;
                return;
            }
            if (_count % BlockKeys == 0)
            {
                _blockStarts.Add(key);
            }
            _buffer[_inBuffer++] = key;
            _count++;
            if (_inBuffer == BufferKeys)
            {
                Flush();
            }
        }

        private void Flush()
        {
            RandomAccess.Write(_file!.SafeFileHandle, MemoryMarshal.AsBytes(_buffer.AsSpan(0, _inBuffer)), _written * sizeof(ulong));
            _written += _inBuffer;
            _inBuffer = 0;
        }

        public SortedKeys Build()
        {
            _built = true;
            if (_memory is not null)
            {
                return new SortedKeys(_memory, _count);
            }
            Flush();
            return new SortedKeys(_file!, [.. _blockStarts], _count);
        }

        /// <summary>Closes the key file of a builder that did not finish (a failed fold).</summary>
        public void Dispose()
        {
            if (!_built)
            {
                _file?.Dispose();
            }
        }
    }
}
