using Offsite.Codecs.Chunking;
using Offsite.Codecs.Tests.Support;

namespace Offsite.Codecs.Tests.Chunking;

public sealed class FindBoundaryTests
{
    private readonly Chunker _chunker = Chunks.Create(parameters: Chunks.Small);

    [Fact]
    public void Boundaries_are_pinned_to_an_independent_reference()
    {
        // Produced by a from-scratch Python implementation of the algorithm documented on Chunker and GearTable
        // (seed 00..1f, 2/8/32 KiB, SplitMix64(12345) data). A change here is an on-disk format change.
        int[] expected =
        [
            8447, 13432, 8239, 8465, 9631, 8440, 11538, 8415, 11824, 10056,
            8680, 8932, 10620, 11404, 11363, 11280, 11695, 10539, 12265, 4735,
        ];
        var chunker = Chunks.Create(seedFill: 0, parameters: Chunks.Small);
        byte[] data = TestData.Random(200_000, seed: 12345);

        Assert.Equal(expected, Chunks.Lengths(chunker, data));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_cut_matches_a_byte_at_a_time_reference(int seedFill)
    {
        // The optimised scan against the definition in the Chunker remarks, written plainly: cuts at odd
        // and even offsets, in both mask regions, at MaxSize and at the end of the data.
        var gear = new GearTable(TestData.Seed((byte)seedFill));
        var chunker = new Chunker(gear, Chunks.Small);
        var odd = new ChunkerParameters(MinSize: 2 * 1024 + 1, AverageSize: 8 * 1024, MaxSize: 32 * 1024 - 1);
        var oddChunker = new Chunker(gear, odd);
        int cuts = 0, oddCuts = 0;
        for (ulong seed = 0; seed < 40; seed++)
        {
            byte[] data = TestData.Random(40_000 + (int)seed * 997, seed);
            for (int start = 0; start < data.Length; start += 257 + (int)(seed % 7) * 1000)
            {
                var span = data.AsSpan(start);
                foreach (bool isFinal in new[] { false, true })
                {
                    int expected = ReferenceBoundary(gear, Chunks.Small, span, isFinal);
                    Assert.Equal(expected, chunker.FindBoundary(span, isFinal));
                    Assert.Equal(ReferenceBoundary(gear, odd, span, isFinal), oddChunker.FindBoundary(span, isFinal));
                    cuts += expected > 0 && expected % 2 == 1 ? 1 : 0;
                    oddCuts += expected > 0 && expected % 2 == 0 ? 1 : 0;
                }
            }
        }
        Assert.True(cuts > 10 && oddCuts > 10, $"both parities must be exercised ({cuts} odd, {oddCuts} even)");
    }

    private static int ReferenceBoundary(GearTable gear, ChunkerParameters p, ReadOnlySpan<byte> data, bool isFinal)
    {
        int n = data.Length;
        if (n <= p.MinSize)
        {
            return isFinal ? n : -1;
        }
        int bits = System.Numerics.BitOperations.Log2((uint)p.AverageSize);
        ulong small = ulong.MaxValue << (64 - (bits + 2)), large = ulong.MaxValue << (64 - (bits - 2));
        ulong h = 0;
        int limit = Math.Min(n, p.MaxSize);
        for (int i = p.MinSize; i < limit; i++)
        {
            h = (h << 1) + gear[data[i]];
            if ((h & (i < p.AverageSize ? small : large)) == 0)
            {
                return i + 1;
            }
        }
        return limit == p.MaxSize ? p.MaxSize : isFinal ? n : -1;
    }

    [Fact]
    public void Short_non_final_data_asks_for_more()
    {
        byte[] data = TestData.Random(Chunks.Small.MinSize, seed: 1);
        Assert.Equal(-1, _chunker.FindBoundary(data, isFinal: false));
        Assert.Equal(data.Length, _chunker.FindBoundary(data, isFinal: true));
    }

    [Fact]
    public void Empty_final_data_has_zero_length_cut()
    {
        Assert.Equal(0, _chunker.FindBoundary([], isFinal: true));
        Assert.Equal(-1, _chunker.FindBoundary([], isFinal: false));
    }

    [Fact]
    public void Data_without_a_boundary_is_cut_at_max_size()
    {
        // Constant input gives a constant hash after 64 bytes; whatever the seed, some cut must come by MaxSize.
        var zeros = new byte[3 * Chunks.Small.MaxSize];
        int cut = _chunker.FindBoundary(zeros, isFinal: false);
        Assert.InRange(cut, Chunks.Small.MinSize + 1, Chunks.Small.MaxSize);
    }

    [Fact]
    public void Result_does_not_depend_on_bytes_beyond_max_size()
    {
        byte[] data = TestData.Random(4 * Chunks.Small.MaxSize, seed: 2);
        int expected = _chunker.FindBoundary(data.AsSpan(0, Chunks.Small.MaxSize), isFinal: false);
        Assert.True(expected > 0);
        Assert.Equal(expected, _chunker.FindBoundary(data, isFinal: false));
        Assert.Equal(expected, _chunker.FindBoundary(data, isFinal: true));
    }
}
