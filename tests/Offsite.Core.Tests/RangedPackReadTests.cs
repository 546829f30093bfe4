using Offsite.Core.Content;
using Offsite.Core.Repository;
using Offsite.Core.Storage;
using Offsite.Storage.Local;

namespace Offsite.Core.Tests;

/// <summary>
/// A partial restore announces the blobs it needs from a pack (<see cref="BlobLoader.Hold"/>);
/// when they are a small part of the pack, only the header and the age chunks holding them are
/// read. Measured here as bytes read from storage, on one 8 MiB pack of 64 blobs.
/// </summary>
public sealed class RangedPackReadTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-ranged-" + Guid.NewGuid().ToString("N"));

    public RangedPackReadTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private async Task<(Repository.Repository Repo, CountingStorage Storage, List<(BlobId Id, byte[] Data)> Blobs, string Pack)> SetUpAsync(BlobType type = BlobType.Data)
    {
        var local = new LocalStorage(Path.Combine(_dir, "repo"));
        var writer = await Repository.Repository.InitAsync(local, "pw", new RepositoryConfig { PackSize = 32 << 20 }, "", default);
        var blobs = new List<(BlobId, byte[])>();
        await using (var saver = new BlobSaver(writer, []))
        {
            var rng = new Random(11);
            for (int i = 0; i < 64; i++)
            {
                byte[] data = new byte[128 * 1024];
                rng.NextBytes(data); // incompressible: each blob spans 2-3 age chunks
                blobs.Add((await saver.SaveAsync(type, data, default), data));
            }
            await saver.FlushAsync(default);
        }
        var counting = new CountingStorage(local);
        var repo = await Repository.Repository.OpenAsync(counting, KeySource.FromPassphrase("pw", "t"), "", default);
        await repo.LoadIndexAsync(default);
        string pack = repo.Index.Find(blobs[0].Item1)!.Pack.Id;
        Assert.All(blobs, b => Assert.Equal(pack, repo.Index.Find(b.Item1)!.Pack.Id));
        counting.Reset();
        return (repo, counting, blobs, pack);
    }

    [Fact]
    public async Task Two_blobs_of_a_pack_cost_their_chunks_not_the_pack()
    {
        var (repo, storage, blobs, pack) = await SetUpAsync();
        long packSize = repo.Index.FindPack(pack)!.Size;
        var loader = new BlobLoader(repo);
        var wanted = new[] { blobs[5], blobs[40] };

        using var held = loader.Hold(pack, wanted.Select(b => b.Id), default);
        foreach (var (id, data) in wanted)
        {
            Assert.Equal(data, await loader.LoadAsync(id, default));
        }

        Assert.Equal(0, storage.WholeReads);
        Assert.Equal(3, storage.RangeReads); // the header, then one run of chunks per blob
        Assert.True(storage.BytesRead < 2 * (3 * 65552) + 4096, $"read {storage.BytesRead} bytes of a {packSize}-byte pack");
    }

    [Fact]
    public async Task Blobs_read_singly_cost_one_range_each_until_the_pack_is_worth_fetching()
    {
        var (repo, storage, blobs, _) = await SetUpAsync();
        var loader = new BlobLoader(repo, maxCachedPacks: 1, singleBlobReads: 3);

        foreach (int i in new[] { 3, 30, 60 })
        {
            Assert.Equal(blobs[i].Data, await loader.LoadAsync(blobs[i].Id, default));
        }
        Assert.Equal((0, 4), (storage.WholeReads, storage.RangeReads)); // the header once, then one range per blob

        Assert.Equal(blobs[10].Data, await loader.LoadAsync(blobs[10].Id, default));
        Assert.Equal(blobs[11].Data, await loader.LoadAsync(blobs[11].Id, default));
        Assert.Equal((1, 4), (storage.WholeReads, storage.RangeReads)); // the fourth fetched the pack, the fifth was cached
    }

    [Fact]
    public async Task A_tree_window_serves_the_blobs_after_the_one_that_opened_it()
    {
        var (repo, storage, blobs, pack) = await SetUpAsync(BlobType.Tree);
        Assert.True(repo.Index.FindPack(pack)!.HoldsOnlyTrees);
        // Four 128 KiB blobs per window, as check reads the repository's tree packs.
        var loader = new BlobLoader(repo, maxCachedPacks: 1, localCopies: false, treeWindow: 512 * 1024);
        // In the pack's order (the saver's workers may have packed them in another than they were saved in).
        var inPack = blobs.OrderBy(b => repo.Index.Find(b.Id)!.Entry.Offset).ToList();

        foreach (var (id, data) in inPack)
        {
            Assert.Equal(data, await loader.LoadAsync(id, default));
        }
        Assert.Equal(0, storage.WholeReads);
        Assert.Equal(1 + 64 / 4, storage.RangeReads); // the header, then one read per window
        // Going back opens a window again; a blob inside the current one costs nothing.
        Assert.Equal(inPack[1].Data, await loader.LoadAsync(inPack[1].Id, default));
        Assert.Equal(inPack[2].Data, await loader.LoadAsync(inPack[2].Id, default));
        Assert.Equal(1 + 64 / 4 + 1, storage.RangeReads);
    }

    [Fact]
    public async Task A_flipped_byte_in_a_tree_window_damages_that_blob_only()
    {
        var (repo, storage, blobs, pack) = await SetUpAsync(BlobType.Tree);
        var entry = repo.Index.Find(blobs[20].Id)!.Entry;
        string path = Directory.GetFiles(Path.Combine(_dir, "repo", "packs"), pack, SearchOption.AllDirectories).Single();
        byte[] stored = File.ReadAllBytes(path);
        long payload = Crypto.Age.AgeFile.ReadHeader(stored, repo.Identities).PayloadOffset;
        stored[payload + entry.Offset + (entry.Offset / Crypto.Age.AgeSizes.ChunkSize * 16) + 100] ^= 0x40;
        File.WriteAllBytes(path, stored);
        var loader = new BlobLoader(repo, maxCachedPacks: 1, localCopies: false, treeWindow: 512 * 1024);

        var e = await Assert.ThrowsAsync<BlobDamagedException>(() => loader.LoadAsync(blobs[20].Id, default));
        Assert.Contains(pack[..8], e.Message, StringComparison.Ordinal);
        foreach (var (id, data) in blobs.Where(b => b.Id != blobs[20].Id))
        {
            Assert.Equal(data, await loader.LoadAsync(id, default));
        }
        Assert.Equal(0, storage.WholeReads);
    }

    [Fact]
    public async Task Most_of_a_pack_is_read_whole_in_one_request()
    {
        var (repo, storage, blobs, pack) = await SetUpAsync();
        var loader = new BlobLoader(repo);
        var wanted = blobs.Take(40).ToList();

        using var held = loader.Hold(pack, wanted.Select(b => b.Id), default);
        foreach (var (id, data) in wanted)
        {
            Assert.Equal(data, await loader.LoadAsync(id, default));
        }

        Assert.Equal(1, storage.WholeReads);
        Assert.Equal(0, storage.RangeReads);
    }

    [Fact]
    public async Task A_blob_outside_the_announced_ranges_is_still_loaded()
    {
        var (repo, storage, blobs, pack) = await SetUpAsync();
        var loader = new BlobLoader(repo);
        using var held = loader.Hold(pack, [blobs[1].Id], default);

        Assert.Equal(blobs[1].Data, await loader.LoadAsync(blobs[1].Id, default));
        Assert.Equal(blobs[50].Data, await loader.LoadAsync(blobs[50].Id, default));
        Assert.Equal(1, storage.WholeReads);
    }

    [Fact]
    public async Task A_flipped_byte_in_a_fetched_range_damages_that_blob_only()
    {
        var (repo, storage, blobs, pack) = await SetUpAsync();
        var entry = repo.Index.Find(blobs[20].Id)!.Entry;
        string path = Directory.GetFiles(Path.Combine(_dir, "repo", "packs"), pack, SearchOption.AllDirectories).Single();
        byte[] stored = File.ReadAllBytes(path);
        // Plaintext offset → ciphertext: header and nonce, then a 16-byte tag per earlier 64 KiB chunk.
        long payload = Crypto.Age.AgeFile.ReadHeader(stored, repo.Identities).PayloadOffset;
        long cipher = payload + entry.Offset + (entry.Offset / Crypto.Age.AgeSizes.ChunkSize * 16) + 100;
        stored[cipher] ^= 0x40;
        File.WriteAllBytes(path, stored);
        var loader = new BlobLoader(repo);

        using var held = loader.Hold(pack, [blobs[20].Id, blobs[60].Id], default);

        var e = await Assert.ThrowsAsync<BlobDamagedException>(() => loader.LoadAsync(blobs[20].Id, default));
        Assert.Contains(pack[..8], e.Message, StringComparison.Ordinal);
        Assert.Equal(blobs[60].Data, await loader.LoadAsync(blobs[60].Id, default));
        Assert.Equal(0, storage.WholeReads);
    }

    [Fact]
    public async Task Restoring_one_file_reads_its_chunks_and_writes_only_it()
    {
        // 40 files of 200 KiB in one pack; restore --include one of them.
        string source = Path.Combine(_dir, "src");
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        var rng = new Random(7);
        for (int i = 0; i < 40; i++)
        {
            byte[] content = new byte[200 * 1024];
            rng.NextBytes(content);
            File.WriteAllBytes(Path.Combine(source, "sub", $"f{i:00}"), content);
        }
        var local = new LocalStorage(Path.Combine(_dir, "repo"));
        var writer = await Repository.Repository.InitAsync(local, "pw", new RepositoryConfig { PackSize = 32 << 20 }, "", default);
        var snapshot = await new Backup.BackupRunner(writer).BackupTreeAsync(new Offsite.Sources.Files.LocalDirectorySource([source]), new Backup.SnapshotTemplate("t", "h", [source], []), default);
        var counting = new CountingStorage(local);
        var repo = await Repository.Repository.OpenAsync(counting, KeySource.FromPassphrase("pw", "t"), "", default);
        await repo.LoadIndexAsync(default);
        counting.Reset();
        var trees = new BlobLoader(repo, 1, singleBlobReads: 16);
        var data = new BlobLoader(repo, 2);
        var restorer = new Restore.Restorer(trees.LoadTreeAsync, data.ReadPackAsync,
            id => repo.Index.Find(id) is { } at ? (at.Pack.Id, at.Entry.RawLength) : null,
            new Restore.PathFilter([source + "/sub/f17"]));
        string target = Path.Combine(_dir, "restore");

        var result = await restorer.RestoreAsync(Content.BlobId.Parse(snapshot.Tree), target, default);

        Assert.True(result.Complete, string.Join("\n", result.Errors));
        string restored = target + source + "/sub";
        Assert.Equal(["f17"], Directory.GetFiles(restored).Select(Path.GetFileName));
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "sub", "f17")), File.ReadAllBytes(Path.Combine(restored, "f17")));
        // The tree pack is read whole (it is small); of the 8 MiB data pack only the file's chunks.
        Assert.True(counting.BytesRead < 1024 * 1024, $"read {counting.BytesRead} bytes to restore a 200 KiB file");
    }

    [Fact]
    public async Task A_full_restore_with_two_workers_reads_every_pack_once()
    {
        // Many small packs, two workers, two cached packs (as the CLI runs it): a worker starting
        // a pack must not evict the one the other worker is still reading.
        string source = Path.Combine(_dir, "many");
        Directory.CreateDirectory(source);
        var rng = new Random(9);
        for (int i = 0; i < 60; i++)
        {
            byte[] content = new byte[150 * 1024];
            rng.NextBytes(content);
            File.WriteAllBytes(Path.Combine(source, $"f{i:00}"), content);
        }
        var local = new LocalStorage(Path.Combine(_dir, "repo"));
        var writer = await Repository.Repository.InitAsync(local, "pw", new RepositoryConfig { PackSize = 1 << 20 }, "", default);
        var snapshot = await new Backup.BackupRunner(writer).BackupTreeAsync(new Offsite.Sources.Files.LocalDirectorySource([source]), new Backup.SnapshotTemplate("t", "h", [source], []), default);
        var counting = new CountingStorage(local);
        var repo = await Repository.Repository.OpenAsync(counting, KeySource.FromPassphrase("pw", "t"), "", default);
        await repo.LoadIndexAsync(default);
        counting.Reset();
        var data = new BlobLoader(repo, 2);
        var restorer = new Restore.Restorer(new BlobLoader(repo, 1).LoadTreeAsync, data.ReadPackAsync,
            id => repo.Index.Find(id) is { } at ? (at.Pack.Id, at.Entry.RawLength) : null,
            new Restore.PathFilter([]), workers: 2);

        var result = await restorer.RestoreAsync(Content.BlobId.Parse(snapshot.Tree), Path.Combine(_dir, "all"), default);

        Assert.True(result.Complete, string.Join("\n", result.Errors));
        Assert.True(counting.PackReads.Count > 6, $"{counting.PackReads.Count} packs");
        Assert.All(counting.PackReads, p => Assert.True(p.Value == 1, $"pack {p.Key} read {p.Value} times"));
    }
}
