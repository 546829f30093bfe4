using System.Buffers;

namespace Offsite.Codecs.Chunking;

/// <summary>
/// Splits one stream into chunks with bounded memory (one pooled buffer of 2 × MaxSize).
/// Each returned chunk aliases that buffer and is valid until a call to <see cref="Next"/>/<see cref="NextAsync"/>
/// that moves the buffered bytes (<see cref="NextMovesBuffer"/> says beforehand whether the next one will)
/// or <see cref="Dispose"/>. Not thread-safe: only the chunks' bytes may be read by other threads meanwhile.
/// </summary>
/// <remarks>
/// Boundaries depend only on the stream's bytes, never on how the stream splits its reads: the chunker is only
/// consulted once at least MaxSize bytes are buffered (or the stream has ended), so short reads from pipes
/// or sockets yield exactly the same chunks as one big read.
/// </remarks>
public sealed class ChunkReader : IDisposable
{
    private readonly Chunker _chunker;
    private readonly Stream _source;
    private readonly int _maxSize;
    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;
    private int _start; // first byte of the next chunk
    private int _end;   // one past the last buffered byte
    private bool _eof;
    private readonly Func<long>? _cpuClock;

    internal ChunkReader(Chunker chunker, Stream source, ArrayPool<byte> pool, Func<long>? cpuClock = null)
    {
        _cpuClock = cpuClock;
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("Stream must be readable.", nameof(source));
        }

        _chunker = chunker;
        _source = source;
        _maxSize = chunker.Parameters.MaxSize;
        // Twice MaxSize so that refilling (which first moves the < MaxSize leftover to the front) happens at most
        // once per MaxSize consumed, keeping the copying overhead small without a ring buffer.
        _pool = pool;
        _buffer = pool.Rent(2 * _maxSize);
    }

    /// <summary>Stream offset just past the last returned chunk, i.e. where the next chunk starts.</summary>
    public long Position { get; private set; }

    /// <summary>CPU the source's reads took on this reader's threads (0 without a CPU clock). A read that
    /// completed on another thread than it started on is not counted: its difference means nothing.</summary>
    public long ReadCpuNanoseconds { get; private set; }

    /// <summary>CPU spent finding cut points (0 without a CPU clock).</summary>
    public long CutCpuNanoseconds { get; private set; }

    /// <summary>
    /// Whether the next call to <see cref="Next"/>/<see cref="NextAsync"/> will move the buffered bytes to the
    /// front of the buffer, overwriting every chunk returned so far. While it is false, earlier chunks stay
    /// intact through that call: reads only fill the space after them. It turns true about once per MaxSize
    /// of input.
    /// </summary>
    public bool NextMovesBuffer => _buffer is { } buffer && MustMove(buffer);

    private bool MustMove(byte[] buffer) => !_eof && _end - _start < _maxSize && buffer.Length - _start < _maxSize;

    /// <summary>The next chunk, or an empty memory once the stream is exhausted.</summary>
    public ReadOnlyMemory<byte> Next()
    {
        byte[] buffer = PrepareFill();
        while (!_eof && _end - _start < _maxSize)
        {
            long started = _cpuClock?.Invoke() ?? 0;
            int read = _source.Read(buffer, _end, buffer.Length - _end);
            if (_cpuClock is not null) ReadCpuNanoseconds += _cpuClock() - started;
            Account(read);
        }

        return Cut(buffer);
    }

    /// <inheritdoc cref="Next"/>
    public async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken ct = default)
    {
        byte[] buffer = PrepareFill();
        while (!_eof && _end - _start < _maxSize)
        {
            int thread = Environment.CurrentManagedThreadId;
            long started = _cpuClock?.Invoke() ?? 0;
            int read = await _source.ReadAsync(buffer.AsMemory(_end), ct).ConfigureAwait(false);
            if (_cpuClock is not null && thread == Environment.CurrentManagedThreadId) ReadCpuNanoseconds += _cpuClock() - started;
            Account(read);
        }

        return Cut(buffer);
    }

    /// <summary>Returns the buffer to the pool. Does not dispose the source stream, which the caller owns.</summary>
    public void Dispose()
    {
        byte[]? buffer = _buffer;
        _buffer = null;
        if (buffer is not null)
        {
            _pool.Return(buffer);
        }
    }

    /// <summary>Ensures at least MaxSize bytes of free space after the unconsumed data, if more input may follow.</summary>
    private byte[] PrepareFill()
    {
        byte[]? buffer = _buffer;
        ObjectDisposedException.ThrowIf(buffer is null, this);

        int pending = _end - _start;
        if (MustMove(buffer))
        {
            // This invalidates the previously returned chunk, which the contract allows.
            Buffer.BlockCopy(buffer, _start, buffer, 0, pending);
            _start = 0;
            _end = pending;
        }

        return buffer;
    }

    private void Account(int read)
    {
        if (read == 0)
        {
            _eof = true;
        }
        else
        {
            _end += read;
        }
    }

    private ReadOnlyMemory<byte> Cut(byte[] buffer)
    {
        int pending = _end - _start;
        if (pending == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        // With MaxSize bytes buffered the chunker always finds a cut, so -1 cannot happen here.
        long started = _cpuClock?.Invoke() ?? 0;
        int length = _chunker.FindBoundary(buffer.AsSpan(_start, pending), isFinal: _eof);
        if (_cpuClock is not null) CutCpuNanoseconds += _cpuClock() - started;
        var chunk = new ReadOnlyMemory<byte>(buffer, _start, length);
        _start += length;
        Position += length;
        return chunk;
    }
}
