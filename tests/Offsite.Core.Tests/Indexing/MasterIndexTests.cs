using System.Buffers.Binary;
using Offsite.Core.Content;

namespace Offsite.Core.Tests.Indexing;

public sealed class MasterIndexTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static BlobId Id(int n)
    {
        // spread over the whole id space, so sorted order differs from insertion order
        var bytes = new byte[BlobId.Size];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)n * 0x9E3779B97F4A7C15UL);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(28), n);
        return new BlobId(bytes);
    }

    private static PackInfo Pack(string name, int day, IEnumerable<int> blobs) =>
        new(name, Epoch.AddDays(day), 1000, blobs.Select((b, i) => new PackEntry(Id(b), BlobType.Data, BlobCompression.Zstd, i * 100L, 100, b)).ToList());

    [Fact]
    public void Every_blob_is_found_in_its_pack_across_the_folds_of_a_large_load()
    {
        var index = new MasterIndex();
        const int packs = 400, perPack = 250; // 100,000 blobs: several folds into the sorted array
        for (int p = 0; p < packs; p++)
        {
            index.Add(Pack($"p{p}", p, Enumerable.Range(p * perPack, perPack)));
        }
        Assert.Equal(packs * perPack, index.BlobCount);
        for (int b = 0; b < packs * perPack; b += 7)
        {
            var found = index.Find(Id(b));
            Assert.NotNull(found);
            Assert.Equal($"p{b / perPack}", found.Pack.Id);
            Assert.Equal(b, found.Entry.RawLength);
            Assert.Equal((b % perPack) * 100L, found.Entry.Offset);
        }
        Assert.Null(index.Find(Id(packs * perPack + 1)));
        Assert.False(index.Contains(Id(-5)));
    }

    [Fact]
    public void The_newest_copy_wins_whether_it_comes_before_or_after_a_fold()
    {
        var index = new MasterIndex();
        index.Add(Pack("old-a", 1, Enumerable.Range(0, 20_000)));          // folded into the array
        index.Add(Pack("new-a", 5, [3, 4]));                                 // newer copies, in the recent set
        index.Add(Pack("older-a", 0, [3, 5]));                               // older copies: ignored
        Assert.Equal("new-a", index.Find(Id(3))!.Pack.Id);
        Assert.Equal("old-a", index.Find(Id(5))!.Pack.Id);
        index.Add(Pack("filler", 2, Enumerable.Range(100_000, 20_000)));   // forces another fold
        Assert.Equal("new-a", index.Find(Id(4))!.Pack.Id);
        Assert.Equal("old-a", index.Find(Id(5))!.Pack.Id);
        Assert.Equal(40_000, index.BlobCount);
    }

    [Fact]
    public void A_pack_is_added_once_and_found_by_id()
    {
        var index = new MasterIndex();
        var pack = Pack("p", 0, [1, 2]);
        index.Add(pack);
        index.Add(pack);
        Assert.Equal(1, index.PackCount);
        Assert.Same(pack, index.FindPack("p"));
        Assert.True(index.ContainsPack("p"));
        Assert.Null(index.FindPack("q"));
        Assert.Equal(2, index.BlobCount);
    }
}
