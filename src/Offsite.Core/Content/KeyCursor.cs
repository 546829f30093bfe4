using Microsoft.Win32.SafeHandles;

namespace Offsite.Core.Content;

/// <summary>
/// Reads a sorted run of index keys in order, from an array or from a key file through a 8 KiB buffer,
/// leaving out given positions: one input of <see cref="SortedRuns.Merge"/>.
/// </summary>
internal sealed class KeyCursor : ISortedRun<ulong>
{
    private const int BufferKeys = 1024;
    private readonly ulong[]? _array;
    private readonly SafeFileHandle? _handle;
    private readonly long _fileStart;
    private readonly long _count;
    private readonly long[] _skip;
    private readonly ulong[] _buffer = [];
    private long _bufferFirst;
    private int _bufferLength;
    private int _skipAt;
    private long _position = -1;

    private KeyCursor(ulong[]? array, SafeFileHandle? handle, long fileStart, long count, long[] skip)
    {
        _array = array;
        _handle = handle;
        _fileStart = fileStart;
        _count = count;
        _skip = skip;
        if (handle is not null)
        {
            _buffer = new ulong[(int)Math.Min(BufferKeys, Math.Max(count, 1))];
        }
    }

    /// <summary>The first <paramref name="count"/> keys of <paramref name="keys"/>, which are sorted.</summary>
    public static KeyCursor Over(ulong[] keys, int count, long[]? skip = null) => new(keys, null, 0, count, skip ?? []);

    /// <summary><paramref name="count"/> sorted keys of a key file, from key position <paramref name="start"/>.</summary>
    public static KeyCursor Over(SafeFileHandle file, long start, long count, long[]? skip = null) => new(null, file, start, count, skip ?? []);

    public ulong Current { get; private set; }

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

    private ulong Buffered(long position)
    {
        if (position >= _bufferFirst + _bufferLength)
        {
            _bufferFirst = position;
            _bufferLength = (int)Math.Min(_buffer.Length, _count - position);
            SortedKeys.ReadKeys(_handle!, _fileStart + position, _buffer.AsSpan(0, _bufferLength));
        }
        return _buffer[position - _bufferFirst];
    }
}
