using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Offsite.Posix;

/// <summary>
/// Read-ahead: until the first <see cref="Read(Span{byte})"/>, a thread drains the pipe into
/// native segments (at most a given number of bytes). A dump program started before the
/// repository is open (the passphrase takes ~0.4 s to stretch) then runs at full speed instead of
/// stopping once the pipe is full. The first read stops the thread; what it buffered is served
/// first, each segment freed (and its memory returned) as soon as it has been read.
/// </summary>
public sealed unsafe partial class PipeInputStream
{
    private const int SegmentSize = 1 << 20;

    private readonly Queue<Segment> _segments = new();
    private Thread? _readAhead;
    private volatile bool _stopReadAhead;
    private ExceptionDispatchInfo? _readAheadFailure;
    private long _readAheadBytes;

    /// <summary>Bytes the read-ahead has taken from the pipe and not yet handed out.</summary>
    public long BufferedBytes => Interlocked.Read(ref _readAheadBytes);

    /// <summary>
    /// Starts draining the pipe into memory, at most <paramref name="maxBytes"/> (rounded up to whole
    /// 1 MiB segments), until the first read. Call once, before reading.
    /// </summary>
    public void StartReadAhead(long maxBytes)
    {
        ObjectDisposedException.ThrowIf(!_addedRef, this);
        if (_readAhead is not null || _segments.Count > 0)
        {
            throw new InvalidOperationException("read-ahead was already started");
        }
        _readAhead = new Thread(() => ReadAhead(maxBytes)) { IsBackground = true, Name = "pipe read-ahead" };
        _readAhead.Start();
    }

    private void ReadAhead(long maxBytes)
    {
        try
        {
            long total = 0;
            Segment? segment = null;
            while (!_stopReadAhead && total < maxBytes)
            {
                // Only this thread touches the segments until the first read joins it.
                if (segment is null || segment.IsFull)
                {
                    segment = new Segment((byte*)NativeMemory.Alloc(SegmentSize));
                    _segments.Enqueue(segment);
                }
                if (_drained)
                {
                    Thread.Sleep(RefillPause);
                }
                int n = ReadOnce(segment.Data + segment.Filled, SegmentSize - segment.Filled);
                if (n == 0)
                {
                    _eof = true;
                    return;
                }
                _drained = n < Math.Min(SegmentSize - segment.Filled, _drainedBelow);
                segment.Filled += n;
                total += n;
                Interlocked.Add(ref _readAheadBytes, n);
            }
        }
        catch (PosixException e)
        {
            _readAheadFailure = ExceptionDispatchInfo.Capture(e);
        }
    }

    /// <summary>Stops the read-ahead (waiting for its last read) and copies buffered bytes out; 0 when none are left.</summary>
    private int TakeReadAhead(Span<byte> buffer)
    {
        if (_readAhead!.IsAlive)
        {
            _stopReadAhead = true;
            _readAhead.Join();
        }
        if (_segments.Count == 0)
        {
            _readAheadFailure?.Throw();
            _readAhead = null; // drained and joined: later reads go straight to the pipe
            return 0;
        }
        var head = _segments.Peek();
        int n = Math.Min(buffer.Length, head.Filled - head.Consumed);
        new ReadOnlySpan<byte>(head.Data + head.Consumed, n).CopyTo(buffer);
        head.Consumed += n;
        Interlocked.Add(ref _readAheadBytes, -n);
        if (head.Consumed == head.Filled)
        {
            _segments.Dequeue();
            head.Free();
        }
        return n;
    }

    private void DisposeReadAhead()
    {
        if (_readAhead is null)
        {
            return;
        }
        // The thread may be blocked in read(); the owner ends the writer first (disposing the child
        // process), and until then the thread only touches segments, so it is stopped, not freed from under.
        _stopReadAhead = true;
        _readAhead.Join();
        while (_segments.TryDequeue(out var segment))
        {
            segment.Free();
        }
        _readAhead = null;
    }

    private sealed class Segment(byte* data)
    {
        public byte* Data { get; private set; } = data;
        public int Filled { get; set; }
        public int Consumed { get; set; }
        public bool IsFull => Filled == SegmentSize;

        public void Free()
        {
            NativeMemory.Free(Data);
            Data = null;
        }
    }
}
