namespace Offsite.Core.Content;

/// <summary>
/// Buffers for chunks on their way to the compressors, and for what the compressors write: a handful of
/// arrays whose sizes follow the data, reused best-fit.
/// </summary>
/// <remarks>
/// <c>ArrayPool.Create</c> keeps up to its per-bucket count in every power-of-two bucket a chunk size
/// falls into. Chunks of 0.5 to 8 MiB fill four buckets, so a backup of ordinary files ended up holding
/// about 45 MiB of idle buffers on the large-object heap for at most five chunks in flight (/usr/share
/// initial backup: LOH 40 → 80 MiB). Here the arrays in existence are counted, not the arrays per size:
/// when none of the free ones is large enough, the largest free one that is too small is dropped for the
/// new one, so the pool never holds more arrays than were in use at once, each no larger than a chunk
/// that needed it (rounded up to <see cref="Granule"/>).
/// </remarks>
internal sealed class ChunkBufferPool
{
    /// <summary>Sizes are rounded up to this, so chunks of similar size share arrays.</summary>
    internal const int Granule = 256 * 1024;

    private readonly int _maxArrays;
    private readonly List<byte[]> _free = new();
    private readonly Lock _lock = new();
    private int _arrays;

    /// <param name="maxArrays">how many arrays the pool keeps at most: the buffers the caller has in use at
    /// once. More may be rented; the surplus is left to the garbage collector on return.</param>
    public ChunkBufferPool(int maxArrays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxArrays, 1);
        _maxArrays = maxArrays;
    }

    /// <summary>Arrays that exist (free or rented) and count against the limit.</summary>
    internal int Arrays
    {
        get { lock (_lock) return _arrays; }
    }

    /// <summary>Bytes held by free arrays.</summary>
    internal long FreeBytes
    {
        get { lock (_lock) return _free.Sum(a => (long)a.Length); }
    }

    /// <summary>An array of at least <paramref name="length"/> bytes: the smallest free one that fits, else a new one.</summary>
    public byte[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        lock (_lock)
        {
            int best = -1, largestTooSmall = -1;
            for (int i = 0; i < _free.Count; i++)
            {
                int size = _free[i].Length;
                if (size >= length)
                {
                    if (best < 0 || size < _free[best].Length) best = i;
                }
                else if (largestTooSmall < 0 || size > _free[largestTooSmall].Length)
                {
                    largestTooSmall = i;
                }
            }
            if (best >= 0)
            {
                var found = _free[best];
                RemoveAt(best);
                return found;
            }
            if (_arrays >= _maxArrays && largestTooSmall >= 0)
            {
                // Replaced by the larger array below rather than kept beside it.
                RemoveAt(largestTooSmall);
                _arrays--;
            }
            _arrays++;
        }
        long rounded = ((long)length + Granule - 1) / Granule * Granule;
        return GC.AllocateUninitializedArray<byte>((int)Math.Min(rounded, Array.MaxLength));
    }

    /// <summary>Takes back an array from <see cref="Rent"/>; it is kept unless the pool already holds its limit.</summary>
    public void Return(byte[] array)
    {
        lock (_lock)
        {
            if (_free.Count < _maxArrays && _arrays <= _maxArrays)
            {
                _free.Add(array);
                return;
            }
            // A surplus array (rented while all kept ones were in use): let it go.
            _arrays--;
        }
    }

    private void RemoveAt(int index)
    {
        _free[index] = _free[^1];
        _free.RemoveAt(_free.Count - 1);
    }
}
