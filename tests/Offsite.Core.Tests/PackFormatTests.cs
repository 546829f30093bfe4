using Offsite.Core.Content;
using Offsite.Core.Errors;

namespace Offsite.Core.Tests;

public sealed class PackFormatTests
{
    private static BlobId Id(byte b) => new(Enumerable.Repeat(b, 32).ToArray());

    private static byte[] BuildPack(params (byte Id, int Length)[] blobs)
    {
        using var builder = new PackBuilder(1024);
        foreach (var (id, length) in blobs)
        {
            builder.Add(Id(id), BlobType.Data, BlobCompression.None, length, Enumerable.Repeat(id, length).ToArray());
        }
        return builder.Finish().ToArray();
    }

    [Fact]
    public void Table_round_trips_with_implicit_offsets()
    {
        byte[] pack = BuildPack((1, 10), (2, 0), (3, 5000));
        var table = PackFormat.ReadTable(pack, "p");
        Assert.Equal(3, table.Count);
        Assert.Equal(new PackEntry(Id(1), BlobType.Data, BlobCompression.None, 0, 10, 10), table[0]);
        Assert.Equal(10, table[1].Offset);
        Assert.Equal(10, table[2].Offset);
        Assert.Equal(5000, table[2].Length);
        Assert.All(pack.AsSpan(10, 5000).ToArray(), b => Assert.Equal(3, b));
    }

    [Fact]
    public void Empty_pack_has_an_empty_table()
    {
        Assert.Empty(PackFormat.ReadTable(BuildPack(), "p"));
    }

    [Fact]
    public void Every_truncation_is_rejected_as_damage()
    {
        byte[] pack = BuildPack((1, 100), (2, 50));
        for (int n = 0; n < pack.Length; n++)
        {
            var e = Assert.Throws<OffsiteException>(() => PackFormat.ReadTable(pack.AsSpan(0, n), "p"));
            Assert.Equal(ErrorKind.RepositoryDamaged, e.Kind);
        }
    }

    [Theory]
    [InlineData(0)]  // type byte of the first entry
    [InlineData(1)]  // compression byte
    [InlineData(6)]  // length
    public void Invalid_entries_are_rejected(int fieldOffset)
    {
        byte[] pack = BuildPack((1, 100));
        int tableStart = pack.Length - PackFormat.TrailerSize - PackFormat.EntrySize;
        pack[tableStart + fieldOffset] = 0xff;
        Assert.Throws<OffsiteException>(() => PackFormat.ReadTable(pack, "p"));
    }

    [Fact]
    public void A_huge_entry_count_does_not_allocate_or_overflow()
    {
        byte[] pack = BuildPack((1, 100));
        pack[^16] = 0xff; pack[^15] = 0xff; pack[^14] = 0xff; pack[^13] = 0xff;
        var e = Assert.Throws<OffsiteException>(() => PackFormat.ReadTable(pack, "p"));
        Assert.Contains("larger than the pack", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_version_is_rejected()
    {
        byte[] pack = BuildPack((1, 1));
        pack[^12] = 2;
        Assert.Contains("version", Assert.Throws<OffsiteException>(() => PackFormat.ReadTable(pack, "p")).Message, StringComparison.Ordinal);
    }
}
