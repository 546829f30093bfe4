using Xunit.Abstractions;

namespace Offsite.Cli.Tests;

/// <summary>Damaged storage is detected, attributed, and costs only what it touches.</summary>
public sealed class DamageTests
{
    private readonly ITestOutputHelper _output;

    public DamageTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Flipped_byte_in_a_pack_is_found_by_check_and_loses_only_one_chunk_on_restore()
    {
        using var box = new Sandbox();
        string dir1 = box.Dir.Sub("dir1"), dir2 = box.Dir.Sub("dir2");
        var filesA = WriteFiles(dir1, dirs: 2, perDir: 25, seed: 1);
        var filesB = WriteFiles(dir2, dirs: 8, perDir: 50, seed: 2);

        string snapA = box.Backup(dir1)["snapshot"]!.GetValue<string>();
        var packsA = box.PackIds();
        string snapB = box.Backup(dir2)["snapshot"]!.GetValue<string>();
        string packB = box.LargestPack(box.PackIds().Except(packsA)); // B's data pack (its trees have their own)
        box.Ok("check", "--read-data");

        // Pick a 64 KiB STREAM chunk in the middle of B's pack holding only data blobs, and work out
        // from the plaintext which files live (partly) in it.
        string identity = box.ExportIdentity();
        byte[] plaintext = RepoObjects.AgeDecrypt(identity, box.PackFile(packB));
        var table = RepoObjects.ReadTable(plaintext);
        long chunks = (plaintext.Length + RepoObjects.AgeChunk - 1) / RepoObjects.AgeChunk;
        long chunk = -1;
        List<PackBlob> hit = [];
        for (long delta = 0; delta < chunks / 2 && chunk < 0; delta++)
        {
            foreach (long k in new[] { (chunks / 2) + delta, (chunks / 2) - delta })
            {
                long start = k * RepoObjects.AgeChunk, end = start + RepoObjects.AgeChunk;
                var overlapping = table.Where(b => b.Offset < end && b.End > start).ToList();
                if (overlapping.Count > 0 && overlapping.All(b => b.Type == 0) && overlapping[^1].End < plaintext.Length - (table.Count * RepoObjects.EntrySize))
                {
                    (chunk, hit) = (k, overlapping);
                    break;
                }
            }
        }
        Assert.True(chunk >= 0, "no chunk with only data blobs");
        var broken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var blob in hit)
        {
            Assert.Equal(0, blob.Compression); // random data is stored raw
            byte[] bytes = plaintext.AsSpan((int)blob.Offset, (int)blob.Length).ToArray();
            broken.Add(Assert.Single(filesB, f => bytes.AsSpan().SequenceEqual(f.Value)).Key);
        }

        string packPath = box.PackFile(packB);
        byte[] stored = File.ReadAllBytes(packPath);
        long flipAt = RepoObjects.CipherOffsetOfChunk(stored, chunk) + 1000;
        stored[flipAt] ^= 0x20;
        File.WriteAllBytes(packPath, stored);
        _output.WriteLine($"pack {packB}: {plaintext.Length} bytes, {chunks} chunks, {table.Count} blobs; flipped byte {flipAt} in chunk {chunk}, which holds {broken.Count} files");

        var check = box.Expect(4, "check", "--read-data");
        string checkText = check.Stdout + check.Stderr;
        Assert.Contains(packB, checkText, StringComparison.Ordinal);
        Assert.Contains(snapB, checkText, StringComparison.Ordinal);
        Assert.DoesNotContain(snapA, checkText, StringComparison.Ordinal);
        var checkJson = box.RunWith(null, null, "--json", "check", "--read-data");
        Sandbox.Expect(4, checkJson, ["check", "--read-data", "--json"]);
        Assert.Equal([packB], checkJson.Json()["damagedPacks"]!.AsObject().Select(p => p.Key));
        Assert.Equal([snapB], checkJson.Json()["affectedSnapshots"]!.AsArray().Select(s => s!.GetValue<string>()));

        // A is untouched.
        box.Ok("restore", snapA, "--target", box.Path("outA"));
        TreeCompare.AssertSameContent(dir1, box.Path("outA") + dir1);

        // B restores everything outside the damaged chunk, and names what it could not.
        var restore = box.Expect(5, "restore", snapB, "--target", box.Path("outB"));
        int intact = 0;
        foreach (var (path, content) in filesB)
        {
            string restored = box.Path("outB") + path;
            if (broken.Contains(path))
            {
                Assert.Contains(path, restore.Stderr, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(File.Exists(restored) && File.ReadAllBytes(restored).AsSpan().SequenceEqual(content), $"{path} should be intact");
                Assert.DoesNotContain(path + ":", restore.Stderr, StringComparison.Ordinal);
                intact++;
            }
        }
        _output.WriteLine($"restore B: exit {restore.ExitCode}, {intact} of {filesB.Count} files intact, {broken.Count} reported broken");
        Assert.Equal(filesB.Count - broken.Count, intact);
        Assert.True(intact > filesB.Count * 9 / 10);
    }

    [Fact]
    public void Truncated_or_deleted_pack_fails_check_naming_the_pack()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        WriteFiles(src, dirs: 1, perDir: 20, seed: 3);
        box.Backup(src);
        string pack = box.LargestPack(box.PackIds()); // the data pack
        string packPath = box.PackFile(pack);
        byte[] original = File.ReadAllBytes(packPath);

        File.WriteAllBytes(packPath, original[..(original.Length / 2)]);
        var r = box.Expect(4, "check");
        Assert.Contains(pack, r.Stderr, StringComparison.Ordinal);
        Assert.Contains("truncated", r.Stderr, StringComparison.Ordinal);

        File.Delete(packPath);
        r = box.Expect(4, "check");
        Assert.Contains(pack, r.Stderr, StringComparison.Ordinal);
        Assert.Contains("missing", r.Stderr, StringComparison.Ordinal);
        // Without the pack the trees are gone too: restore reports it rather than crashing.
        r = box.Expect(5, "restore", "latest", "--target", box.Path("out"));
        Assert.Contains(pack[..8], r.Stderr, StringComparison.Ordinal);

        File.WriteAllBytes(packPath, original);
        box.Ok("check", "--read-data");
    }

    /// <summary>Random files of 10–30 KB in <paramref name="dirs"/> subdirectories; returns absolute path → content.</summary>
    private static Dictionary<string, byte[]> WriteFiles(string root, int dirs, int perDir, int seed)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var rng = new Random(seed);
        for (int d = 0; d < dirs; d++)
        {
            string dir = Directory.CreateDirectory(Path.Combine(root, $"sub{d:00}")).FullName;
            for (int i = 0; i < perDir; i++)
            {
                byte[] content = Data.Random(rng.Next(10_000, 30_000), (ulong)rng.NextInt64());
                string path = Path.Combine(dir, $"file{i:000}.bin");
                File.WriteAllBytes(path, content);
                files[path] = content;
            }
        }
        return files;
    }
}
