using System.Collections.Concurrent;

namespace Offsite.Core.Content;

/// <summary>
/// Exact-size buffers for pack plaintext. ArrayPool would round a 17 MiB request up to 32 MiB and
/// keep several per core; packs are the largest buffers Offsite holds, so they get their own pool
/// with a fixed size and a cap on how many are kept.
/// </summary>
public sealed class PackBufferPool
{
    private readonly ConcurrentBag<byte[]> _free = new();
    private readonly int _keep;

    public PackBufferPool(int bufferSize, int keep)
    {
        BufferSize = bufferSize;
        _keep = keep;
    }

    public int BufferSize { get; }

    public byte[] Rent() => _free.TryTake(out byte[]? b) ? b : GC.AllocateUninitializedArray<byte>(BufferSize);

    /// <summary>A buffer of at least <paramref name="minimum"/> bytes: pooled when it fits, else a one-off.</summary>
    public byte[] Rent(int minimum) => minimum <= BufferSize ? Rent() : GC.AllocateUninitializedArray<byte>(minimum);

    /// <summary>Takes back a buffer; ones of another size (grown for an oversized pack) are left to the GC.</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length == BufferSize && _free.Count < _keep)
        {
            _free.Add(buffer);
        }
    }
}
