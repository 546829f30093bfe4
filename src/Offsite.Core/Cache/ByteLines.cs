namespace Offsite.Core.Cache;

/// <summary>
/// The lines of a stream as UTF-8 bytes (without the '\n'), each valid until the next is read. One
/// buffer, grown to the longest line: a line is not decoded into a string of twice its size.
/// A last line without '\n' is returned too.
/// </summary>
internal sealed class ByteLines(Stream source)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    public ByteLines GetEnumerator() => this;

    public ReadOnlyMemory<byte> Current { get; private set; }

    public bool MoveNext()
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                Current = _buffer.AsMemory(_start, newline);
                _start += newline + 1;
                return true;
            }
            if (_eof)
            {
                if (_end > _start)
                {
                    Current = _buffer.AsMemory(_start, _end - _start);
                    _start = _end;
                    return true;
                }
                return false;
            }
            Fill();
        }
    }

    private void Fill()
    {
        int pending = _end - _start;
        if (pending == _buffer.Length)
        {
            // A line longer than the buffer: grow (kept for the rest of the stream).
            var bigger = new byte[checked(_buffer.Length * 2)];
            _buffer.AsSpan(_start, pending).CopyTo(bigger);
            _buffer = bigger;
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        }
        _start = 0;
        _end = pending;
        int read = source.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }
        _end += read;
    }
}
