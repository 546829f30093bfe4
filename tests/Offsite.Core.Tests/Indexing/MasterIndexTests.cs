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

    /// <summary>An index with its keys in memory, or in files from the first key (with deferred keys written out every 1,000).</summary>
    private static MasterIndex NewIndex(bool keysOnDisk) =>
        keysOnDisk ? new MasterIndex(Path.GetTempPath(), keysInMemory: 0, deferredChunk: 1000) : new MasterIndex();

    private static PackInfo Pack(string name, int day, IEnumerable<int> blobs) =>
        new(name, Epoch.AddDays(day), 1000, blobs.Select((b, i) => new PackEntry(Id(b), BlobType.Data, BlobCompression.Zstd, i * 100L, 100, b)).ToList());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_blob_is_found_in_its_pack_across_the_folds_of_a_large_load(bool keysOnDisk)
    {
        var index = NewIndex(keysOnDisk);
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_newest_copy_wins_whether_it_comes_before_or_after_a_fold(bool keysOnDisk)
    {
        var index = NewIndex(keysOnDisk);
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_pack_is_added_once_and_found_by_id(bool keysOnDisk)
    {
        var index = NewIndex(keysOnDisk);
        var pack = Pack("p", 0, [1, 2]);
        index.Add(pack);
        index.Add(pack);
        Assert.Equal(1, index.PackCount);
        Assert.Equal(pack.Entries, index.FindPack("p")!.Entries);
        Assert.True(index.ContainsPack("p"));
        Assert.Null(index.FindPack("q"));
        Assert.Equal(2, index.BlobCount);
    }

    /// <summary>An id sharing its first 8 bytes (the sorted array's key) with others: told apart by the rest.</summary>
    private static BlobId Twin(int group, int n)
    {
        var bytes = new byte[BlobId.Size];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)group * 0x9E3779B97F4A7C15UL);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), 1000 - n); // the order of the rest differs from n's
        return new BlobId(bytes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ids_with_equal_prefixes_are_told_apart_across_folds_and_the_newest_copy_still_wins(bool keysOnDisk)
    {
        var index = NewIndex(keysOnDisk);
        PackInfo Twins(string name, int day, IEnumerable<(int Group, int N)> ids) =>
            new(name, Epoch.AddDays(day), 1000, ids.Select((t, i) => new PackEntry(Twin(t.Group, t.N), BlobType.Data, BlobCompression.Zstd, i, 1, t.Group * 100 + t.N)).ToList());
        // 20,000 groups of three twins in one pack: folded; then newer copies of some twins, and a filler that folds again.
        index.Add(Twins("old", 1, Enumerable.Range(0, 20_000).SelectMany(g => new[] { (g, 0), (g, 1), (g, 2) })));
        index.Add(Twins("new", 5, [(7, 1), (8, 2)]));
        Assert.Equal("new", index.Find(Twin(7, 1))!.Pack.Id);
        Assert.Equal("old", index.Find(Twin(7, 0))!.Pack.Id);
        index.Add(Pack("filler", 2, Enumerable.Range(100_000, 30_000)));
        for (int g = 0; g < 20_000; g += 13)
        {
            for (int n = 0; n < 3; n++)
            {
                Assert.Equal(g * 100 + n, index.Find(Twin(g, n))!.Entry.RawLength);
            }
        }
        Assert.Equal("new", index.Find(Twin(8, 2))!.Pack.Id);
        Assert.Equal("old", index.Find(Twin(8, 1))!.Pack.Id);
        Assert.Null(index.Find(Twin(7, 3)));      // same prefix, no such id
        Assert.Equal(60_000 + 30_000, index.BlobCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Deferred_packs_are_merged_at_the_first_lookup_and_keep_the_newest_copy_of_each_blob(bool keysOnDisk)
    {
        var index = NewIndex(keysOnDisk);
        index.AddDeferred(Pack("old", 1, Enumerable.Range(0, 150_000)));   // more than one chunk of keys
        index.AddDeferred(Pack("new", 5, [3, 4]));
        index.AddDeferred(Pack("older", 0, [3, 5]));
        index.AddDeferred(Pack("same-day", 1, [6]));                       // as new as "old": the first added wins
        index.AddDeferred(Pack("old", 1, [7]));                            // a pack already added: ignored
        Assert.Equal(4, index.PackCount);
        Assert.Equal(150_000, index.BlobCount);
        Assert.Equal("new", index.Find(Id(3))!.Pack.Id);
        Assert.Equal("new", index.Find(Id(4))!.Pack.Id);
        Assert.Equal("old", index.Find(Id(5))!.Pack.Id);
        Assert.Equal("old", index.Find(Id(6))!.Pack.Id);
        for (int b = 0; b < 150_000; b += 11)
        {
            Assert.Equal(b, index.Find(Id(b))!.Entry.RawLength);
        }
        Assert.Null(index.Find(Id(150_001)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Deferred_and_checked_adds_mix_in_any_order(bool keysOnDisk)
    {
        var index = NewIndex(keysOnDisk);
        index.Add(Pack("base", 1, Enumerable.Range(0, 70_000)));           // folded into the array
        index.Add(Pack("recent", 3, [1, 2]));                               // recent copies replacing array entries
        index.AddDeferred(Pack("deferred", 4, [2, 3, 80_000]));
        index.AddDeferred(Pack("stale", 0, [1, 80_000]));
        Assert.Equal("recent", index.Find(Id(1))!.Pack.Id);
        Assert.Equal("deferred", index.Find(Id(2))!.Pack.Id);
        Assert.Equal("deferred", index.Find(Id(80_000))!.Pack.Id);
        index.Add(Pack("after", 9, [3]));
        index.AddDeferred(Pack("late", 0, [4, 90_000]));        // older than "base": its copy of 4 loses
        Assert.Equal("after", index.Find(Id(3))!.Pack.Id);
        Assert.Equal("base", index.Find(Id(4))!.Pack.Id);
        Assert.Equal("late", index.Find(Id(90_000))!.Pack.Id);
        Assert.Equal(70_002, index.BlobCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Deferred_ids_with_equal_prefixes_are_told_apart_and_the_newest_copy_wins(bool keysOnDisk)
    {
        var index = NewIndex(keysOnDisk);
        PackInfo Twins(string name, int day, IEnumerable<(int Group, int N)> ids) =>
            new(name, Epoch.AddDays(day), 1000, ids.Select((t, i) => new PackEntry(Twin(t.Group, t.N), BlobType.Data, BlobCompression.Zstd, i, 1, t.Group * 100 + t.N)).ToList());
        index.AddDeferred(Twins("new", 5, [(7, 1), (8, 2)]));
        index.AddDeferred(Twins("old", 1, Enumerable.Range(0, 20_000).SelectMany(g => new[] { (g, 0), (g, 1), (g, 2) })));
        Assert.Equal(60_000, index.BlobCount);
        Assert.Equal("new", index.Find(Twin(7, 1))!.Pack.Id);
        Assert.Equal("old", index.Find(Twin(7, 0))!.Pack.Id);
        Assert.Equal("old", index.Find(Twin(7, 2))!.Pack.Id);
        Assert.Equal("new", index.Find(Twin(8, 2))!.Pack.Id);
        for (int g = 0; g < 20_000; g += 17)
        {
            for (int n = 0; n < 3; n++)
            {
                Assert.Equal(g * 100 + n, index.Find(Twin(g, n))!.Entry.RawLength);
            }
        }
        Assert.Null(index.Find(Twin(7, 3)));
    }

    [Fact]
    public void Pack_tables_live_in_a_file_that_is_unlinked_at_once_and_read_back_whole()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mi-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var index = new MasterIndex(dir, keysInMemory: 0, deferredChunk: 1000);
            var big = Pack("big", 0, Enumerable.Range(0, 3000)); // more than one read batch of the table
            index.Add(big);
            index.AddDeferred(Pack("small", 1, [5000, 5001]));
            index.AddDeferred(Pack("deferred", 2, Enumerable.Range(10_000, 2500))); // runs of deferred keys written out
            Assert.Equal(5502, index.BlobCount);
            Assert.True(index.KeysOnDisk);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir)); // pack tables, key file and runs: all unlinked
            Assert.Equal(big.Entries, index.FindPack("big")!.Entries.ToList());
            Assert.Equal(big.Entries[2999], index.FindPack("big")!.Entries[2999]);
            Assert.Equal("small", index.Find(Id(5001))!.Pack.Id);
            Assert.Equal(5502, index.Packs.Sum(p => p.Entries.Count));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Keys_move_to_a_file_once_they_outgrow_the_array_and_are_all_found_across_block_boundaries()
    {
        var index = new MasterIndex(Path.GetTempPath(), keysInMemory: 10_000, deferredChunk: 3_000);
        index.AddDeferred(Pack("small", 0, Enumerable.Range(0, 9_000)));
        Assert.False(index.KeysOnDisk);
        PackInfo Twins(string name, int day, IEnumerable<(int Group, int N)> ids) =>
            new(name, Epoch.AddDays(day), 1000, ids.Select((t, i) => new PackEntry(Twin(t.Group, t.N), BlobType.Data, BlobCompression.Zstd, i, 1, t.Group * 100 + t.N)).ToList());
        // Groups of five ids sharing a prefix: with 512 keys a block, many groups straddle two blocks.
        index.AddDeferred(Twins("twins", 1, Enumerable.Range(0, 4_000).SelectMany(g => Enumerable.Range(0, 5).Select(n => (g, n)))));
        Assert.True(index.KeysOnDisk);
        Assert.Equal(29_000, index.BlobCount);
        for (int b = 0; b < 9_000; b++)
        {
            Assert.Equal(b, index.Find(Id(b))!.Entry.RawLength);
        }
        for (int g = 0; g < 4_000; g++)
        {
            for (int n = 0; n < 5; n++)
            {
                Assert.Equal(g * 100 + n, index.Find(Twin(g, n))!.Entry.RawLength);
            }
            Assert.Null(index.Find(Twin(g, 7)));
        }
        Assert.Null(index.Find(Id(-1)));
        Assert.Null(index.Find(new BlobId(Enumerable.Repeat((byte)0xFF, BlobId.Size).ToArray()))); // after the last
    }
}
