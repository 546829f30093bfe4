using System.Security.Cryptography;
using Offsite.Core.Content;

namespace Offsite.Core.Tests;

public sealed class SortedBlobIdsTests
{
    private static BlobId Id(int n) => new(SHA256.HashData(BitConverter.GetBytes(n)));

    [Fact]
    public void From_sorts_and_drops_repeated_ids()
    {
        BlobId[] ids = [Id(3), Id(1), Id(2), Id(1), Id(3)];
        var set = SortedBlobIds.From(ids);

        Assert.Equal(3, set.Count);
        Assert.Equal(ids.Distinct().Order(), set);
        Assert.All(ids, id => Assert.True(set.Contains(id)));
        Assert.False(set.Contains(Id(4)));
        Assert.True(set.IndexOf(Id(4)) < 0);
        Assert.Equal(Id(2), set[set.IndexOf(Id(2))]);
    }

    [Fact]
    public void FromSorted_refuses_ids_out_of_order_or_repeated()
    {
        BlobId[] sorted = [.. new[] { Id(1), Id(2), Id(3) }.Order()];
        Assert.Equal(sorted, SortedBlobIds.FromSorted(sorted));

        Assert.Throws<ArgumentException>(() => SortedBlobIds.FromSorted([sorted[1], sorted[0]]));
        Assert.Throws<ArgumentException>(() => SortedBlobIds.FromSorted([sorted[0], sorted[0]]));
    }

    [Fact]
    public void An_empty_set_contains_nothing()
    {
        var set = SortedBlobIds.From([]);
        Assert.Empty(set);
        Assert.False(set.Contains(Id(1)));
    }
}
