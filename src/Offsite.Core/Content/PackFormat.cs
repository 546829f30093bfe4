using System.Buffers.Binary;
using Offsite.Core.Errors;

namespace Offsite.Core.Content;

/// <summary>
/// The plaintext layout of a pack (docs/format.md, "Packs"):
/// <c>blob_0 … blob_n-1 | table | trailer</c>. Each table entry is 42 bytes; the trailer is 16
/// bytes: entry count (u32 LE), layout version (u32 LE), magic "OFSPACK1". Blob offsets are implicit:
/// the sum of the lengths before it. A pack can be understood without any index.
/// </summary>
public static class PackFormat
{
    public const int EntrySize = 42;
    public const int TrailerSize = 16;
    public const uint Version = 1;
    public static ReadOnlySpan<byte> Magic => "OFSPACK1"u8;

    public static void WriteEntry(Span<byte> destination, in PackEntry entry)
    {
        destination[0] = (byte)entry.Type;
        destination[1] = (byte)entry.Compression;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[2..], (uint)entry.RawLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[6..], (uint)entry.Length);
        entry.Id.WriteTo(destination[10..]);
    }

    public static void WriteTrailer(Span<byte> destination, int count)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)count);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Version);
        Magic.CopyTo(destination[8..]);
    }

    /// <summary>Reads the blob table of a decrypted pack, validating every length against the pack size.</summary>
    public static List<PackEntry> ReadTable(ReadOnlySpan<byte> pack, string packId)
    {
        if (pack.Length < TrailerSize || !pack[^8..].SequenceEqual(Magic))
        {
            throw Damaged(packId, "no pack trailer");
        }
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(pack[^TrailerSize..]);
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(pack[(pack.Length - TrailerSize + 4)..]);
        if (version != Version)
        {
            throw Damaged(packId, $"unknown pack layout version {version}");
        }
        long tableLength = (long)count * EntrySize;
        if (tableLength > pack.Length - TrailerSize)
        {
            throw Damaged(packId, "blob table larger than the pack");
        }
        int tableStart = pack.Length - TrailerSize - (int)tableLength;
        var entries = new List<PackEntry>((int)count);
        long offset = 0;
        for (int i = 0; i < count; i++)
        {
            var e = pack.Slice(tableStart + i * EntrySize, EntrySize);
            var type = (BlobType)e[0];
            var compression = (BlobCompression)e[1];
            int rawLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(e[2..]));
            int length = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(e[6..]));
            if (type > BlobType.Tree || compression > BlobCompression.Zstd || offset + length > tableStart)
            {
                throw Damaged(packId, $"blob table entry {i} is invalid");
            }
            entries.Add(new PackEntry(new BlobId(e.Slice(10, BlobId.Size)), type, compression, offset, length, rawLength));
            offset += length;
        }
        if (offset != tableStart)
        {
            throw Damaged(packId, "blob lengths do not add up to the table position");
        }
        return entries;
    }

    private static OffsiteException Damaged(string packId, string what) =>
        new(ErrorKind.RepositoryDamaged, $"pack {packId}: {what}");
}

/// <summary>One blob inside a pack.</summary>
public readonly record struct PackEntry(BlobId Id, BlobType Type, BlobCompression Compression, long Offset, int Length, int RawLength);
