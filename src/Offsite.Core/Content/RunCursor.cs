using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Offsite.Core.Content;

/// <summary>
/// Reads a sorted run of fixed-size records in order, from an array or from a scratch file through a
/// buffer, leaving out given positions: one input of <see cref="SortedRuns.Merge"/>. The master index's
/// keys (<see cref="ulong"/>) and prune's blob records both go through it.
/// </summary>
internal sealed class RunCursor<T> : ISortedRun<T> where T : unmanaged
{
    private const int BufferBytes = 8 * 1024;
    private readonly T[]? _array;
    private readonly SafeFileHandle? _handle;
    private readonly long _fileStart;
    private readonly long _count;
    private readonly long[] _skip;
    private readonly T[] _buffer = [];
    private long _bufferFirst;
    private int _bufferLength;
    private int _skipAt;
    private long _position = -1;

    private RunCursor(T[]? array, SafeFileHandle? handle, long fileStart, long count, long[] skip)
    {
        _array = array;
        _handle = handle;
        _fileStart = fileStart;
        _count = count;
        _skip = skip;
        if (handle is not null)
        {
            _buffer = new T[(int)Math.Min(Math.Max(1, BufferBytes / Marshal.SizeOf<T>()), Math.Max(count, 1))];
        }
    }

    /// <summary>The first <paramref name="count"/> records of <paramref name="records"/>, which are sorted.</summary>
    public static RunCursor<T> Over(T[] records, int count, long[]? skip = null) => new(records, null, 0, count, skip ?? []);

    /// <summary><paramref name="count"/> sorted records of a scratch file, from record position <paramref name="start"/>.</summary>
    public static RunCursor<T> Over(SafeFileHandle file, long start, long count, long[]? skip = null) => new(null, file, start, count, skip ?? []);

    public T Current { get; private set; }

    public bool MoveNext()
    {
        while (++_position < _count)
        {
            if (_skipAt < _skip.Length && _skip[_skipAt] == _position)
            {
                _skipAt++;
                continue;
            }
            Current = _array is not null ? _array[_position] : Buffered(_position);
            return true;
        }
        return false;
    }

    private T Buffered(long position)
    {
        if (position >= _bufferFirst + _bufferLength)
        {
            _bufferFirst = position;
            _bufferLength = (int)Math.Min(_buffer.Length, _count - position);
            SortedRuns.ReadRecords(_handle!, _fileStart + position, _buffer.AsSpan(0, _bufferLength), "a scratch run");
        }
        return _buffer[position - _bufferFirst];
    }
}
