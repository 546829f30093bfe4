namespace Offsite.Core.Content;

/// <summary>
/// Accumulates stored blob bytes into one pack's plaintext. The buffer comes from a
/// <see cref="PackBufferPool"/> and goes back on <see cref="Dispose"/>, so steady-state packing
/// allocates nothing per pack.
/// </summary>
public sealed class PackBuilder : IDisposable
{
    private readonly PackBufferPool _pool;
    private byte[] _buffer;
    private int _length;
    private readonly List<PackEntry> _entries = new();

    public PackBuilder(PackBufferPool pool)
    {
        _pool = pool;
        _buffer = pool.Rent();
    }

    public PackBuilder(int capacity) : this(new PackBufferPool(capacity, 0)) { }

    public int Length => _length;
    public int Count => _entries.Count;
    public IReadOnlyList<PackEntry> Entries => _entries;

    public void Add(BlobId id, BlobType type, BlobCompression compression, int rawLength, ReadOnlySpan<byte> stored)
    {
        EnsureCapacity(_length + stored.Length);
        stored.CopyTo(_buffer.AsSpan(_length));
        _entries.Add(new PackEntry(id, type, compression, _length, stored.Length, rawLength));
        _length += stored.Length;
    }

    /// <summary>Appends the table and trailer and returns the complete plaintext (valid until Dispose).</summary>
    public ReadOnlyMemory<byte> Finish()
    {
        int tableLength = _entries.Count * PackFormat.EntrySize;
        EnsureCapacity(_length + tableLength + PackFormat.TrailerSize);
        var span = _buffer.AsSpan(_length);
        for (int i = 0; i < _entries.Count; i++)
        {
            PackFormat.WriteEntry(span.Slice(i * PackFormat.EntrySize, PackFormat.EntrySize), _entries[i]);
        }
        PackFormat.WriteTrailer(span.Slice(tableLength, PackFormat.TrailerSize), _entries.Count);
        return _buffer.AsMemory(0, _length + tableLength + PackFormat.TrailerSize);
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }
        byte[] bigger = GC.AllocateUninitializedArray<byte>(Math.Max(needed, _buffer.Length + (_buffer.Length >> 2)));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        _pool.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            _pool.Return(_buffer);
            _buffer = [];
        }
    }
}
