using System.Buffers.Binary;
using Offsite.Core.Content;
using Offsite.Core.Prune;

namespace Offsite.Core.Tests.Prune;

public sealed class BlobTableTests
{
    private static BlobId Id(int n)
    {
        // spread over the id space, so sorted order differs from insertion order
        var bytes = new byte[BlobId.Size];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)n * 0x9E3779B97F4A7C15UL);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), n);
        return new BlobId(bytes);
    }

    /// <summary>The default table, or one that writes runs of 100 records and keeps the sealed records in a file.</summary>
    private static BlobTable NewTable(bool onDisk, string? directory = null) =>
        onDisk ? new BlobTable(directory ?? Path.GetTempPath(), chunkRecords: 100, recordsInMemory: 0) : new BlobTable(directory ?? Path.GetTempPath());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_copy_is_found_marked_and_visited_with_its_pack_and_length(bool onDisk)
    {
        using var table = NewTable(onDisk);
        const int blobs = 5_000;
        for (int b = 0; b < blobs; b++)
        {
            table.Add(Id(b), pack: b % 50, length: b + 1);
        }
        for (int b = 0; b < 1_000; b++)
        {
            table.Add(Id(b), pack: 100 + b % 7, length: b + 1); // a second copy of the first thousand
        }
        table.Seal();
        Assert.Equal(onDisk, table.OnDisk);
        Assert.Equal(6_000, table.Count);
        for (int b = 0; b < blobs; b += 3)
        {
            Assert.True(table.MarkUsed(Id(b)));
        }
        Assert.False(table.MarkUsed(Id(blobs + 1)));
        Assert.False(table.MarkUsed(new BlobId(Enumerable.Repeat((byte)0xFF, BlobId.Size).ToArray())));
        for (int b = 0; b < blobs; b++)
        {
            Assert.Equal(b % 3 == 0, table.IsUsed(Id(b)));
        }
        var visited = new List<(int Pack, int Length, bool Used)>();
        table.ForEach((pack, length, used) => visited.Add((pack, length, used)));
        Assert.Equal(6_000, visited.Count);
        // Every copy of a marked blob is marked: 1,667 blobs, 334 of them with a second copy.
        Assert.Equal(1_667 + 334, visited.Count(v => v.Used));
        Assert.Equal(Enumerable.Range(0, blobs).Sum(b => (long)b + 1) + Enumerable.Range(0, 1_000).Sum(b => (long)b + 1), visited.Sum(v => (long)v.Length));
        Assert.Equal(100, visited.Count(v => v.Pack == 0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_pack_may_go_only_when_each_used_blob_it_holds_has_a_copy_in_a_pack_that_stays(bool onDisk)
    {
        using var table = NewTable(onDisk);
        for (int b = 0; b < 3_000; b++)
        {
            table.Add(Id(b), pack: b < 1_500 ? 1 : 2, length: 10);
        }
        table.Add(Id(10), pack: 3, length: 10);    // pack 3 copies blob 10 (in pack 1)
        table.Add(Id(2_000), pack: 4, length: 10); // pack 4 copies blob 2,000 (in pack 2)
        table.Add(Id(5_000), pack: 5, length: 10); // pack 5 holds an unused blob only
        table.Seal();
        table.MarkUsed(Id(10));
        table.MarkUsed(Id(2_000));
        // Packs 3, 4 and 5 leave: 3's and 4's blobs have copies in packs that stay, 5's is unused.
        Assert.Empty(table.PacksWithOnlyCopies(new HashSet<int> { 3, 4, 5 }, p => p is 1 or 2));
        // Pack 1 leaves and pack 3 stays: fine. Packs 1 and 3 both leave: blob 10 would be lost.
        Assert.Empty(table.PacksWithOnlyCopies(new HashSet<int> { 1 }, p => p != 1));
        Assert.Equal([1, 3], table.PacksWithOnlyCopies(new HashSet<int> { 1, 3 }, p => p is 2 or 4).Order());
        Assert.Equal([2], table.PacksWithOnlyCopies(new HashSet<int> { 2 }, p => p is 1 or 3).Order());
    }

    [Fact]
    public void Records_live_in_files_that_are_unlinked_at_once_and_the_table_is_read_only_once_sealed()
    {
        string dir = Path.Combine(Path.GetTempPath(), "bt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            using var table = NewTable(onDisk: true, dir);
            for (int b = 0; b < 1_000; b++)
            {
                table.Add(Id(b), pack: 1, length: 1);
            }
            table.Seal();
            Assert.True(table.OnDisk);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
            Assert.True(table.MarkUsed(Id(999)));
            Assert.Throws<InvalidOperationException>(() => table.Add(Id(5), 1, 1));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_table_of_nothing_seals_and_finds_nothing()
    {
        using var table = new BlobTable();
        table.Seal();
        Assert.False(table.MarkUsed(Id(1)));
        Assert.Empty(table.PacksWithOnlyCopies(new HashSet<int> { 1 }, _ => false));
    }
}
