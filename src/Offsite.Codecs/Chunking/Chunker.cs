using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Offsite.Codecs.Chunking;

/// <summary>
/// FastCDC content-defined chunking (Xia et al., USENIX ATC 2016) with normalized chunking level 2.
/// Immutable and thread-safe; each <see cref="ChunkReader"/> from <see cref="Open"/> holds the per-stream state.
/// </summary>
/// <remarks>
/// <para><b>Exact algorithm (part of the on-disk format, like <see cref="GearTable"/>):</b> for data starting at a
/// chunk start, with b = log2(AverageSize):</para>
/// <code>
/// if n &lt;= MinSize: cut at n (only once the data is known to end there)
/// h = 0                                             // 64-bit, wrapping
/// for i = MinSize .. min(n, MaxSize) - 1:
///     h = (h &lt;&lt; 1) + gear[data[i]]
///     mask = i &lt; AverageSize ? top (b + 2) bits : top (b - 2) bits   // "top k bits" = ~0 &lt;&lt; (64 - k)
///     if (h &amp; mask) == 0: cut at i + 1
/// otherwise cut at MaxSize, or at n at the end of the data
/// </code>
/// <para>Bytes before MinSize are never hashed (the paper's cut-point skipping, which is also why it is fast).
/// The masks test the <i>top</i> bits of h because, with a gear hash, bit k depends on the last k + 1 bytes only:
/// the top bits give the widest (up to 64-byte) window. The stricter mask before AverageSize and the looser one
/// after it concentrate chunk sizes around the average.</para>
/// </remarks>
public sealed class Chunker
{
    private readonly ulong[] _gear;
    private readonly int _minSize;
    private readonly int _averageSize;
    private readonly int _maxSize;
    private readonly ulong _smallMask;
    private readonly ulong _largeMask;

    public Chunker(GearTable gear, ChunkerParameters p)
    {
        ArgumentNullException.ThrowIfNull(gear);
        ArgumentNullException.ThrowIfNull(p);
        p.Validate();

        _gear = gear.CopyEntries();
        Parameters = p;
        _minSize = p.MinSize;
        _averageSize = p.AverageSize;
        _maxSize = p.MaxSize;
        _smallMask = TopBits(p.AverageBits + 2);
        _largeMask = TopBits(p.AverageBits - 2);
    }

    public ChunkerParameters Parameters { get; }

    /// <summary>
    /// Starts chunking <paramref name="source"/>. The reader does not take ownership of the stream.
    /// Its 2 × MaxSize buffer comes from <paramref name="bufferPool"/> (default: the shared pool).
    /// Callers that open many readers from async code should pass a small dedicated pool
    /// (<see cref="CreateBufferPool"/>): the shared pool keeps arrays per thread and per core, which
    /// for buffers this large adds up to hundreds of MiB.
    /// With <paramref name="cpuClock"/> (the calling thread's CPU time in nanoseconds) the reader adds
    /// up the CPU spent reading and cutting (<see cref="ChunkReader.ReadCpuNanoseconds"/>).
    /// </summary>
    public ChunkReader Open(Stream source, ArrayPool<byte>? bufferPool = null, Func<long>? cpuClock = null) =>
        new(this, source, bufferPool ?? ArrayPool<byte>.Shared, cpuClock);

    /// <summary>A pool that keeps at most <paramref name="buffers"/> reader buffers for this chunker.</summary>
    public ArrayPool<byte> CreateBufferPool(int buffers = 1) => ArrayPool<byte>.Create(2 * Parameters.MaxSize, buffers);

    /// <summary>
    /// Length of the chunk that starts at <c>data[0]</c>.
    /// </summary>
    /// <param name="data">Bytes from a chunk start onwards.</param>
    /// <param name="isFinal">True when no bytes follow <paramref name="data"/> in the input.</param>
    /// <returns>The cut length (1..MaxSize), 0 for empty final data, or -1 when no cut was found,
    /// <paramref name="isFinal"/> is false and fewer than MaxSize bytes were given (the caller must supply more).</returns>
    public int FindBoundary(ReadOnlySpan<byte> data, bool isFinal)
    {
        int n = data.Length;
        if (n <= _minSize)
        {
            return isFinal ? n : -1;
        }

        int limit = Math.Min(n, _maxSize);
        int cut = Scan(data, Math.Min(_averageSize, limit), limit);
        if (cut > 0)
        {
            return cut;
        }

        if (limit == _maxSize)
        {
            return _maxSize;
        }

        return isFinal ? n : -1;
    }

    /// <summary>The hot loop: returns the cut length, or 0 if none in [MinSize, limit).</summary>
    private int Scan(ReadOnlySpan<byte> data, int normal, int limit)
    {
        // Unchecked refs: the callers guarantee MinSize < normal <= limit <= data.Length, and gear has 256
        // entries indexed by a byte. Bounds checks would otherwise roughly halve throughput.
        ref byte bytes = ref MemoryMarshal.GetReference(data);
        ref ulong gear = ref MemoryMarshal.GetArrayDataReference(_gear);
        ulong h = 0;
        int i = _minSize;

        ulong mask = _smallMask;
        for (; i < normal; i++)
        {
            h = (h << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref bytes, i));
            if ((h & mask) == 0)
            {
                return i + 1;
            }
        }

        mask = _largeMask;
        for (; i < limit; i++)
        {
            h = (h << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref bytes, i));
            if ((h & mask) == 0)
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static ulong TopBits(int count) => ulong.MaxValue << (64 - count);
}
