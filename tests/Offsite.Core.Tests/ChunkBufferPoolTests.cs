using Offsite.Core.Content;

namespace Offsite.Core.Tests;

public sealed class ChunkBufferPoolTests
{
    private const int Granule = ChunkBufferPool.Granule;

    [Fact]
    public void Rent_rounds_up_to_the_granule_and_reuses_a_returned_array()
    {
        var pool = new ChunkBufferPool(maxArrays: 3);
        var first = pool.Rent(100);
        Assert.Equal(Granule, first.Length);
        pool.Return(first);

        Assert.Same(first, pool.Rent(Granule));
        Assert.Equal(1, pool.Arrays);
    }

    [Fact]
    public void Rent_takes_the_smallest_free_array_that_fits()
    {
        var pool = new ChunkBufferPool(maxArrays: 3);
        var small = pool.Rent(Granule);
        var large = pool.Rent(4 * Granule);
        var middle = pool.Rent(2 * Granule);
        pool.Return(large);
        pool.Return(small);
        pool.Return(middle);

        Assert.Same(middle, pool.Rent(Granule + 1));
        Assert.Same(large, pool.Rent(3 * Granule));
        Assert.Same(small, pool.Rent(1));
    }

    [Fact]
    public void A_larger_chunk_replaces_a_free_array_that_is_too_small_once_the_limit_is_reached()
    {
        var pool = new ChunkBufferPool(maxArrays: 2);
        var a = pool.Rent(Granule);
        var b = pool.Rent(Granule);
        pool.Return(a);
        pool.Return(b);

        // Neither fits: one of them is dropped for the new array, so two arrays exist, not three.
        var big = pool.Rent(8 * Granule);
        Assert.Equal(8 * Granule, big.Length);
        Assert.Equal(2, pool.Arrays);
        pool.Return(big);
        Assert.Equal(9L * Granule, pool.FreeBytes);
    }

    [Fact]
    public void Arrays_rented_beyond_the_limit_are_not_kept()
    {
        var pool = new ChunkBufferPool(maxArrays: 2);
        var rented = Enumerable.Range(0, 5).Select(_ => pool.Rent(Granule)).ToList();
        Assert.Equal(5, pool.Arrays);
        foreach (var array in rented) pool.Return(array);

        Assert.Equal(2, pool.Arrays);
        Assert.Equal(2L * Granule, pool.FreeBytes);
    }

    [Fact]
    public void Memory_follows_the_chunks_in_use_not_the_sizes_seen()
    {
        // The case ArrayPool.Create got wrong: chunk sizes spread over many power-of-two buckets.
        var pool = new ChunkBufferPool(maxArrays: 3);
        var sizes = new Random(7);
        for (int i = 0; i < 1000; i++)
        {
            var held = Enumerable.Range(0, 3).Select(_ => pool.Rent(sizes.Next(1, 32 * Granule))).ToList();
            foreach (var array in held) pool.Return(array);
        }

        Assert.Equal(3, pool.Arrays);
        Assert.True(pool.FreeBytes <= 3L * 32 * Granule);
    }
}
