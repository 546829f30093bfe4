using System.Text;
using Offsite.Codecs.Compression;
using Offsite.Core.Cache;
using Offsite.Core.Content;
using Offsite.Core.Errors;

namespace Offsite.Core.Tests.Indexing;

public sealed class IndexCodecTests
{
    private static readonly PackInfo[] Packs =
    [
        new("a1", new DateTimeOffset(2026, 3, 4, 5, 6, 7, 123, TimeSpan.Zero), 12345,
        [
            new PackEntry(Id(1), BlobType.Data, BlobCompression.Zstd, 0, 100, 400),
            new PackEntry(Id(2), BlobType.Tree, BlobCompression.None, 100, 7, 7),
        ]),
        new("b2", new DateTimeOffset(2026, 3, 5, 0, 0, 0, TimeSpan.FromHours(2)), 1L << 33, []),
    ];

    private static BlobId Id(byte b)
    {
        var bytes = new byte[BlobId.Size];
        Array.Fill(bytes, b);
        bytes[5] = 0xAB;
        return new BlobId(bytes);
    }

    private static void AssertSame(IReadOnlyList<PackInfo> expected, IReadOnlyList<PackInfo> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Id, actual[i].Id);
            Assert.Equal(expected[i].Created, actual[i].Created);
            Assert.Equal(expected[i].Size, actual[i].Size);
            Assert.Equal(expected[i].Entries, actual[i].Entries);
        }
    }

    [Fact]
    public void The_direct_writer_and_reader_agree_with_the_document_serializer_both_ways()
    {
        var viaSerializer = IndexCodec.Parse(IndexCodec.SerializePacks(Packs), "i").Packs.Select(PackInfo.FromIndexPack).ToList();
        AssertSame(Packs, viaSerializer);
        var file = new IndexFile { Packs = Packs.Select(p => p.ToIndexPack()).ToList() };
        AssertSame(Packs, IndexCodec.ParsePacks(IndexCodec.Serialize(file), "i"));
    }

    private static PackInfo ManyBlobs(string id, int blobs) =>
        new(id, new DateTimeOffset(2026, 12, 3, 8, 0, 0, 1, TimeSpan.Zero), 1 << 24,
            Enumerable.Range(0, blobs).Select(i =>
            {
                var bytes = new byte[BlobId.Size];
                BitConverter.TryWriteBytes(bytes, i);
                bytes[31] = (byte)id[0];
                return new PackEntry(new BlobId(bytes), i % 7 == 0 ? BlobType.Tree : BlobType.Data,
                    i % 2 == 0 ? BlobCompression.Zstd : BlobCompression.None, i * 600L, 600, 600 + i);
            }).ToList());

    [Fact]
    public void An_index_larger_than_the_writers_flush_threshold_streams_and_reads_back()
    {
        // 30,000 blobs: about 5 MB of JSON, flushed through the zstd stream many times.
        PackInfo[] packs = [ManyBlobs("c3", 30_000), ManyBlobs("d4", 3)];
        byte[] stored = IndexCodec.SerializePacks(packs);

        Assert.Equal(-1, ZstdDecompressor.GetFrameContentSize(stored)); // one streamed frame
        AssertSame(packs, IndexCodec.ParsePacks(stored, "i"));
        AssertSame(packs, IndexCodec.Parse(stored, "i").Packs.Select(PackInfo.FromIndexPack).ToList());
    }

    [Fact]
    public void The_pack_log_round_trips_large_packs_through_append_and_rewrite()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"offsite-packlog-{Guid.NewGuid():N}");
        try
        {
            var cache = LocalCache.Open(dir, "repo");
            PackInfo[] packs = [ManyBlobs("e5", 20_000), ManyBlobs("f6", 2)];
            cache.AppendPack(packs[0]);
            cache.AppendIndexed("idx", ["e5"]);
            cache.AppendPack(packs[1]);

            var (read, _, indexed, lines) = cache.ReadPackLog();
            AssertSame(packs, read);
            Assert.Equal(["e5"], indexed);
            Assert.Equal(3, lines);

            cache.RewritePackLog(read, indexed);
            var (again, _, indexedAgain, linesAgain) = cache.ReadPackLog();
            AssertSame(packs, again);
            Assert.Equal(["e5"], indexedAgain);
            Assert.Equal(3, linesAgain); // two packs and one line of which are indexed

            // A crash mid-append leaves a torn last line: skipped, the rest still read.
            string log = Directory.GetFiles(dir, "packs.log", SearchOption.AllDirectories).Single();
            string firstLine = File.ReadLines(log).First();
            File.AppendAllText(log, firstLine[..(firstLine.Length / 2)]);
            var (afterCrash, _, _, linesAfterCrash) = cache.ReadPackLog();
            AssertSame(packs, afterCrash);
            Assert.Equal(4, linesAfterCrash);

            // Packs the caller does not want are returned by id only, their tables not read.
            var filtered = cache.ReadPackLog(id => id != "e5");
            AssertSame([packs[1]], filtered.Packs);
            Assert.Equal(["e5", "e5"], filtered.Skipped); // the torn copy's id is readable too
            Assert.Equal(4, filtered.Lines);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Unknown_properties_numeric_enums_and_escaped_names_are_read()
    {
        string json = """
            {"future":{"x":[1,2]},"version":1,"packs":[{"id":"p\u0031","note":"n","created":"2026-01-01T00:00:00Z","size":9,
              "blobs":[{"id":"0101010101ab01010101010101010101010101010101010101010101010101ff","type":1,"compression":0,"offset":3,"length":4,"rawLength":5,"extra":null}]}]}
            """;
        var packs = IndexCodec.ParsePacks(Zstd.Compress(Encoding.UTF8.GetBytes(json)), "i");
        var pack = Assert.Single(packs);
        Assert.Equal("p1", pack.Id);
        var e = Assert.Single(pack.Entries);
        Assert.Equal((BlobType.Tree, BlobCompression.None, 3L, 4, 5), (e.Type, e.Compression, e.Offset, e.Length, e.RawLength));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"packs\":[{\"id\":\"p\",\"blobs\":[{\"id\":\"zz\"}]}]}")]
    [InlineData("{\"packs\":[{\"id\":\"p\",\"blobs\":[{\"id\":\"0101010101ab0101010101010101010101010101010101010101010101010101\",\"type\":\"huge\"}]}]}")]
    [InlineData("{\"packs\":[{\"id\":\"p\",\"blobs\":[{\"type\":\"data\"}]}]}")]
    [InlineData("{\"packs\":[{\"size\":1}]}")]
    [InlineData("{\"packs\":[{\"id\":\"p\",\"size\":\"big\"}]}")]
    [InlineData("{\"packs\":[{\"id\":\"p\",\"blobs\":[{\"id\":\"0101010101ab0101010101010101010101010101010101010101010101010101\",\"type\":7}]}]}")]
    [InlineData("{\"version\":1,\"packs\":[{\"id\":\"p\"")]
    public void Malformed_documents_are_reported_as_damage(string json)
    {
        var e = Assert.Throws<OffsiteException>(() => IndexCodec.ParsePacks(Zstd.Compress(Encoding.UTF8.GetBytes(json)), "index/x"));
        Assert.Equal(ErrorKind.RepositoryDamaged, e.Kind);
        Assert.StartsWith("index/x: index is damaged", e.Message);
    }

    [Fact]
    public void A_plaintext_that_is_not_a_zstd_frame_is_damage()
    {
        var e = Assert.Throws<OffsiteException>(() => IndexCodec.ParsePacks("{}"u8, "index/y"));
        Assert.Equal(ErrorKind.RepositoryDamaged, e.Kind);
    }
}
