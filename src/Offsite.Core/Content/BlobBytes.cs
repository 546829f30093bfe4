using System.Buffers;

namespace Offsite.Core.Content;

/// <summary>
/// A blob's plaintext on loan from <see cref="BlobLoader.LoadPooledAsync"/>: a slice of the pack it was
/// read from (a stored, uncompressed blob) or a buffer from the loader's pool (a decompressed one).
/// Dispose returns the buffer; <see cref="Data"/> must not be used afterwards. A restore loads a
/// gigabyte of blobs of ~1 MiB each: as new arrays they were large-object garbage that only full
/// collections free (docs/design.md, "Memory").
/// </summary>
public sealed class BlobBytes : IDisposable
{
    private byte[]? _rented;
    private readonly ArrayPool<byte>? _pool;

    private BlobBytes(ReadOnlyMemory<byte> data, byte[]? rented, ArrayPool<byte>? pool)
    {
        Data = data;
        _rented = rented;
        _pool = pool;
    }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Bytes the loan does not own (an array, or a slice of a pack's plaintext).</summary>
    public static BlobBytes Of(ReadOnlyMemory<byte> data) => new(data, null, null);

    /// <summary>The first <paramref name="length"/> bytes of <paramref name="rented"/>, returned to <paramref name="pool"/> on Dispose.</summary>
    internal static BlobBytes Rented(byte[] rented, int length, ArrayPool<byte> pool) => new(rented.AsMemory(0, length), rented, pool);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, null) is { } array)
        {
            _pool!.Return(array);
        }
    }
}
