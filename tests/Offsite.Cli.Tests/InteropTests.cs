using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>The repository can be read without Offsite: age, zstd and the documented layouts suffice.</summary>
public sealed class InteropTests
{
    [Fact]
    public void Exported_identity_decrypts_pack_index_and_snapshot_with_the_age_and_zstd_tools()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        byte[] content = Data.Compressible(400_000, 1);
        File.WriteAllBytes(Path.Combine(src, "notes.txt"), content);
        var backup = box.Backup(src);
        string snapshotId = backup["snapshot"]!.GetValue<string>();

        string identity = box.Path("escrow.key");
        box.Ok("key", "export", "--identity", "-o", identity);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(identity));
        Assert.Contains("AGE-SECRET-KEY-1", File.ReadAllText(identity), StringComparison.Ordinal);

        // Snapshot: age -d gives JSON naming the source.
        string snapshotFile = Assert.Single(box.Objects("snapshots"));
        Assert.Equal(snapshotId, Path.GetFileName(snapshotFile));
        var snapshot = JsonNode.Parse(RepoObjects.AgeDecrypt(identity, snapshotFile))!;
        Assert.Equal(src, snapshot["source"]!.GetValue<string>());
        Assert.Equal(src, snapshot["paths"]![0]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{64}$", snapshot["tree"]!.GetValue<string>());

        // Index: age -d, then zstd -d, gives JSON listing the pack.
        string indexFile = Assert.Single(box.Objects("index"));
        var index = JsonNode.Parse(RepoObjects.ZstdDecompress(RepoObjects.AgeDecrypt(identity, indexFile)))!;
        Assert.Equal(1, index["version"]!.GetValue<int>());
        // Trees go to their own packs: one data pack and one tree pack, both indexed.
        Assert.Equal(2, box.PackIds().Count());
        string packId = box.LargestPack(box.PackIds());
        Assert.Equal(2, index["packs"]!.AsArray().Count);
        var indexedPack = index["packs"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == packId)!;
        Assert.Equal(packId, indexedPack["id"]!.GetValue<string>());
        Assert.Equal(new FileInfo(box.PackFile(packId)).Length, indexedPack["size"]!.GetValue<long>());

        // Pack: age -d, parse the table, cut the compressed data blob out, zstd -d gives the file.
        byte[] plaintext = RepoObjects.AgeDecrypt(identity, box.PackFile(packId));
        var table = RepoObjects.ReadTable(plaintext);
        var dataBlob = Assert.Single(table, b => b.Type == 0);
        Assert.Equal(1, dataBlob.Compression);
        Assert.Equal((uint)content.Length, dataBlob.RawLength);
        Assert.True(dataBlob.Length < content.Length / 2, $"compressible file stored in {dataBlob.Length} bytes");
        byte[] frame = plaintext.AsSpan((int)dataBlob.Offset, (int)dataBlob.Length).ToArray();
        Assert.Equal(content, RepoObjects.ZstdDecompress(frame));

        // The index agrees with the pack table on where the blob lives.
        var indexed = indexedPack["blobs"]!.AsArray().Single(b => b!["id"]!.GetValue<string>() == dataBlob.Id)!;
        Assert.Equal(dataBlob.Offset, indexed["offset"]!.GetValue<long>());
        Assert.Equal(dataBlob.Length, indexed["length"]!.GetValue<uint>());
        Assert.Equal("zstd", indexed["compression"]!.GetValue<string>());

        // Object ids are the SHA-256 of the stored bytes.
        foreach (string f in box.PackFiles().Concat(box.Objects("index")).Concat(box.Objects("snapshots")))
        {
            Assert.Equal(Path.GetFileName(f), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
        }
    }
}
