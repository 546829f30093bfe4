using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Crypto.Age;

namespace Offsite.Core.Tests;

public sealed class PackFormatTests
{
    private static BlobId Id(byte b) => new(Enumerable.Repeat(b, 32).ToArray());

    /// <summary>Builds a pack the way a backup does (sealed into a temporary file) and returns its plaintext.</summary>
    private static byte[] BuildPack(params (byte Id, int Length)[] blobs)
    {
        var identity = X25519Identity.Generate();
        using var builder = new PackBuilder(Path.GetTempPath(), identity.Recipient);
        foreach (var (id, length) in blobs)
        {
            builder.Add(Id(id), BlobType.Data, BlobCompression.None, length, Enumerable.Repeat(id, length).ToArray());
        }
        string packId = builder.Finish();
        using var sealedPack = new MemoryStream();
        builder.OpenSealed().CopyTo(sealedPack);
        Assert.Equal(builder.StoredLength, sealedPack.Length);
        Assert.Equal(ObjectKeys.IdFor(sealedPack.ToArray()), packId);
        return AgeFile.Decrypt(sealedPack.ToArray(), [identity]);
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

    [Fact]
    public void A_pack_spans_many_age_chunks_and_leaves_no_file_behind()
    {
        string dir = Directory.CreateTempSubdirectory("offsite-pack-").FullName;
        try
        {
            var identity = X25519Identity.Generate();
            byte[] blob = new byte[300_000];
            Random.Shared.NextBytes(blob);
            using (var builder = new PackBuilder(dir, identity.Recipient))
            {
                builder.Add(Id(1), BlobType.Data, BlobCompression.None, blob.Length, blob);
                builder.Add(Id(2), BlobType.Data, BlobCompression.None, blob.Length, blob);
                Assert.Empty(Directory.GetFiles(dir)); // unlinked at once: a crash cannot leave it behind
                builder.Finish();
                using var sealedPack = new MemoryStream();
                builder.OpenSealed().CopyTo(sealedPack);
                byte[] plaintext = AgeFile.Decrypt(sealedPack.ToArray(), [identity]);
                var table = PackFormat.ReadTable(plaintext, "p");
                Assert.Equal(2, table.Count);
                Assert.True(plaintext.AsSpan((int)table[1].Offset, table[1].Length).SequenceEqual(blob));
            }
            // An abandoned pack (a failed backup) is disposed without being finished.
            using (var abandoned = new PackBuilder(dir, identity.Recipient))
            {
                abandoned.Add(Id(3), BlobType.Data, BlobCompression.None, 10, new byte[10]);
            }
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_pack_directory_that_cannot_be_written_is_an_IO_error_naming_it()
    {
        var e = Assert.Throws<IOException>(() => new PackBuilder("/nonexistent-offsite-dir", X25519Identity.Generate().Recipient));
        Assert.Contains("/nonexistent-offsite-dir", e.Message, StringComparison.Ordinal);
    }
}
