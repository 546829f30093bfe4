using System.Runtime.InteropServices;
using Offsite.Core.Backup;
using Offsite.Core.Content;
using Offsite.Core.Repository;
using Offsite.Storage.Local;

namespace Offsite.Core.Tests;

/// <summary>A restore's blobs come on loan: the same bytes as a plain load, decompressed into reused buffers.</summary>
public sealed class PooledBlobLoadTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-pooled-" + Guid.NewGuid().ToString("N"));

    public PooledBlobLoadTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Loaned_blobs_equal_plain_loads_and_a_returned_buffer_is_lent_again()
    {
        string source = Path.Combine(_dir, "src");
        Directory.CreateDirectory(source);
        // Compressible text (zstd blobs) and random bytes (stored blobs), several chunks each.
        var numbers = new Random(5);
        File.WriteAllText(Path.Combine(source, "text"), string.Concat(Enumerable.Range(0, 800_000).Select(_ => $"line {numbers.Next(1_000_000)}\n")));
        var random = new byte[5 << 20];
        new Random(3).NextBytes(random);
        File.WriteAllBytes(Path.Combine(source, "random"), random);
        var repo = await Repository.Repository.InitAsync(new LocalStorage(Path.Combine(_dir, "repo")), "pw", new RepositoryConfig(), Path.Combine(_dir, "cache"), default);
        await new BackupRunner(repo).BackupTreeAsync(new Offsite.Sources.Files.LocalDirectorySource([source]), new SnapshotTemplate("t", "h", [source], []), default);
        var data = repo.Index.Packs.SelectMany(p => p.Entries).Where(e => e.Type == BlobType.Data).ToList();
        Assert.Contains(data, e => e.Compression == BlobCompression.Zstd);
        Assert.Contains(data, e => e.Compression == BlobCompression.None);
        var loader = new BlobLoader(repo);

        var arrays = new List<byte[]>();
        foreach (var entry in data)
        {
            byte[] plain = await new BlobLoader(repo).LoadAsync(entry.Id, default);
            using var loaned = await loader.LoadPooledAsync(entry.Id, default);
            Assert.Equal(plain, loaned.Data.ToArray());
            if (entry.Compression == BlobCompression.Zstd && MemoryMarshal.TryGetArray(loaned.Data, out var segment))
            {
                arrays.Add(segment.Array!);
            }
        }

        // Blobs of one size class share the buffer the pool keeps instead of one array each. Chunk sizes
        // depend on the repository's random chunker key, so count the power-of-two classes present.
        var zstdArrays = arrays.Distinct(ReferenceEqualityComparer.Instance).Count();
        int classes = data.Where(e => e.Compression == BlobCompression.Zstd).Select(e => System.Numerics.BitOperations.RoundUpToPowerOf2((uint)e.RawLength)).Distinct().Count();
        Assert.True(arrays.Count >= 3, $"{arrays.Count} zstd blobs");
        Assert.True(zstdArrays <= classes && zstdArrays < arrays.Count,
            $"{zstdArrays} distinct buffers for {arrays.Count} blobs in {classes} size classes ({string.Join(",", arrays.Select(a => a.Length))})");
    }
}
