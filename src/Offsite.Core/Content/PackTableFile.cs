using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Offsite.Core.Content;

/// <summary>
/// The blob tables of every indexed pack, kept out of memory: one 48-byte record per blob
/// (id, offset, length, raw length, type, compression) in a file that is unlinked as soon as it is
/// created, so that nothing is left behind by a crash. Records are numbered in the order they were
/// appended (an ordinal); a pack's table is a run of consecutive ordinals. Reads are positioned
/// reads (pread), safe from any thread; the kernel's page cache, not this process, holds what is hot.
/// docs/design.md, "Memory", says why.
/// </summary>
internal sealed class PackTableFile
{
    public const int RecordSize = 48;
    private const int BatchRecords = 1024;

    private readonly string _directory;
    private FileStream? _file;
    // Taken from the stream once: FileStream.SafeFileHandle re-syncs the file position (an lseek) on every call.
    private SafeFileHandle? _handle;
    private long _count;

    public PackTableFile(string directory) => _directory = directory;

    /// <summary>Records appended so far.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Appends a pack's table; returns the ordinal of its first record. Callers serialize appends.</summary>
    public long Append(IReadOnlyList<PackEntry> entries)
    {
        var handle = Handle();
        long first = _count;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(entries.Count, BatchRecords) * RecordSize);
        try
        {
            for (int start = 0; start < entries.Count; start += BatchRecords)
            {
                int n = Math.Min(BatchRecords, entries.Count - start);
                for (int i = 0; i < n; i++)
                {
                    Encode(buffer.AsSpan(i * RecordSize, RecordSize), entries[start + i]);
                }
                RandomAccess.Write(handle, buffer.AsSpan(0, n * RecordSize), (first + start) * RecordSize);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        Volatile.Write(ref _count, first + entries.Count);
        return first;
    }

    public PackEntry Read(long ordinal)
    {
        Span<byte> record = stackalloc byte[RecordSize];
        ReadExactly(record, ordinal);
        return Decode(record);
    }

    /// <summary>Reads <paramref name="destination"/>.Length consecutive records starting at <paramref name="first"/>.</summary>
    public void Read(long first, Span<PackEntry> destination)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(destination.Length, BatchRecords) * RecordSize);
        try
        {
            for (int start = 0; start < destination.Length; start += BatchRecords)
            {
                int n = Math.Min(BatchRecords, destination.Length - start);
                var span = buffer.AsSpan(0, n * RecordSize);
                ReadExactly(span, first + start);
                for (int i = 0; i < n; i++)
                {
                    destination[start + i] = Decode(span.Slice(i * RecordSize, RecordSize));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReadExactly(Span<byte> destination, long ordinal)
    {
        if (!SortedRuns.TryReadExactly(_handle!, destination, ordinal * RecordSize))
        {
            throw new IOException($"the index's pack table file in {_directory} ended at record {ordinal}: it was truncated while in use");
        }
    }

    private SafeFileHandle Handle()
    {
        if (_handle is null)
        {
            _file = UnlinkedTempFile.Create(_directory, "pack-tables");
            _handle = _file.SafeFileHandle;
        }
        return _handle;
    }

    private static void Encode(Span<byte> record, in PackEntry entry)
    {
        entry.Id.WriteTo(record);
        // Offsets are within one pack, whose plaintext is a single array: they fit in 32 bits.
        BinaryPrimitives.WriteUInt32LittleEndian(record[32..], checked((uint)entry.Offset));
        BinaryPrimitives.WriteInt32LittleEndian(record[36..], entry.Length);
        BinaryPrimitives.WriteInt32LittleEndian(record[40..], entry.RawLength);
        record[44] = (byte)entry.Type;
        record[45] = (byte)entry.Compression;
        record[46] = 0;
        record[47] = 0;
    }

    private static PackEntry Decode(ReadOnlySpan<byte> record) => new(
        new BlobId(record[..BlobId.Size]),
        (BlobType)record[44],
        (BlobCompression)record[45],
        BinaryPrimitives.ReadUInt32LittleEndian(record[32..]),
        BinaryPrimitives.ReadInt32LittleEndian(record[36..]),
        BinaryPrimitives.ReadInt32LittleEndian(record[40..]));
}

/// <summary>A pack's table as a run of records in the <see cref="PackTableFile"/>, read when asked for.</summary>
internal sealed class StoredPackEntries(PackTableFile file, long first, int count) : IReadOnlyList<PackEntry>
{
    private const int Batch = 512;

    public long First => first;
    public int Count => count;

    public PackEntry this[int index] =>
        (uint)index < (uint)count ? file.Read(first + index) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<PackEntry> GetEnumerator()
    {
        var batch = new PackEntry[Math.Min(count, Batch)];
        for (int start = 0; start < count; start += Batch)
        {
            int n = Math.Min(Batch, count - start);
            file.Read(first + start, batch.AsSpan(0, n));
            for (int i = 0; i < n; i++)
            {
                yield return batch[i];
            }
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
