using System.Text;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Storage.Local;

namespace Offsite.Core.Tests;

/// <summary>The content layer end to end on local storage: save, flush, reopen, load, damage.</summary>
public sealed class RepositoryRoundTripTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-core-" + Guid.NewGuid().ToString("N"));

    public RepositoryRoundTripTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private async Task<Repository.Repository> InitAsync(int packSize = 1 << 20)
    {
        var storage = new LocalStorage(Path.Combine(_dir, "repo"));
        return await Repository.Repository.InitAsync(storage, "pw", new RepositoryConfig { PackSize = packSize }, Path.Combine(_dir, "cache"), default);
    }

    private async Task<Repository.Repository> ReopenAsync(string passphrase = "pw") =>
        await Repository.Repository.OpenAsync(new LocalStorage(Path.Combine(_dir, "repo")), KeySource.FromPassphrase(passphrase, "test"), "", default);

    private static byte[] Blob(int seed, int size)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        // Half text so that zstd has something to do.
        Encoding.ASCII.GetBytes(new string('a', size / 2)).CopyTo(b, 0);
        return b;
    }

    [Fact]
    public async Task Blobs_saved_are_loaded_back_after_reopening_without_a_cache()
    {
        var repo = await InitAsync();
        var ids = new List<(BlobId, byte[])>();
        await using (var saver = new BlobSaver(repo, []))
        {
            for (int i = 0; i < 40; i++)
            {
                byte[] data = Blob(i, 100_000 + i);
                ids.Add((await saver.SaveAsync(BlobType.Data, data, default), data));
            }
            // Duplicates are not stored twice.
            await saver.SaveAsync(BlobType.Data, ids[0].Item2, default);
            await saver.FlushAsync(default);
            Assert.Equal(40, saver.NewBlobs);
        }
        var reopened = await ReopenAsync();
        await reopened.LoadIndexAsync(default);
        Assert.Equal(40, reopened.Index.BlobCount);
        Assert.True(reopened.Index.PackCount >= 2, "1 MiB packs: the blobs span several packs");
        var loader = new BlobLoader(reopened);
        foreach (var (id, data) in ids)
        {
            Assert.Equal(data, await loader.LoadAsync(id, default));
        }
    }

    [Fact]
    public async Task Wrong_passphrase_is_a_wrong_key_error()
    {
        await InitAsync();
        var e = await Assert.ThrowsAsync<OffsiteException>(() => ReopenAsync("nope"));
        Assert.Equal(ErrorKind.WrongKey, e.Kind);
        Assert.DoesNotContain("nope", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flipped_byte_loses_only_the_blobs_in_that_chunk()
    {
        var repo = await InitAsync(packSize: 4 << 20);
        var saved = new List<(BlobId, byte[])>();
        await using (var saver = new BlobSaver(repo, []))
        {
            // Incompressible 20 KiB blobs: about 3 per 64 KiB age chunk.
            for (int i = 0; i < 100; i++)
            {
                var data = new byte[20_000];
                new Random(1000 + i).NextBytes(data);
                saved.Add((await saver.SaveAsync(BlobType.Data, data, default), data));
            }
            await saver.FlushAsync(default);
        }
        string pack = Directory.GetFiles(Path.Combine(_dir, "repo", "packs"), "*", SearchOption.AllDirectories).Single();
        byte[] bytes = File.ReadAllBytes(pack);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(pack, bytes);

        var reopened = await ReopenAsync();
        await reopened.LoadIndexAsync(default);
        var loader = new BlobLoader(reopened);
        int ok = 0, damaged = 0;
        foreach (var (id, data) in saved)
        {
            try
            {
                Assert.Equal(data, await loader.LoadAsync(id, default));
                ok++;
            }
            catch (BlobDamagedException e)
            {
                Assert.Equal(ErrorKind.RepositoryDamaged, e.Kind);
                Assert.NotNull(e.PackId);
                Assert.Contains(e.PackId![..8], e.Message, StringComparison.Ordinal);
                damaged++;
            }
        }
        Assert.InRange(damaged, 1, 4);
        Assert.Equal(100 - damaged, ok);
    }

    [Fact]
    public async Task Packs_logged_but_never_indexed_are_reused_by_the_next_writer()
    {
        // Simulates a backup killed after uploading packs but before writing its index.
        var storage = new LocalStorage(Path.Combine(_dir, "repo"));
        var repo = await Repository.Repository.InitAsync(storage, "pw", new RepositoryConfig { PackSize = 1 << 20 }, Path.Combine(_dir, "cache"), default);
        byte[] data = Blob(7, 3 << 20);
        BlobId id;
        var saver = new BlobSaver(repo, []);
        id = await saver.SaveAsync(BlobType.Data, data, default);
        await saver.FlushAsync(default);
        // Remove the index the flush wrote and the log line saying it was indexed: as if killed before.
        foreach (string f in Directory.GetFiles(Path.Combine(_dir, "repo", "index"))) File.Delete(f);
        string log = Directory.GetFiles(Path.Combine(_dir, "cache"), "packs.log", SearchOption.AllDirectories).Single();
        File.WriteAllLines(log, File.ReadAllLines(log).Where(l => !l.Contains("\"indexed\"", StringComparison.Ordinal)));
        await saver.DisposeAsync();

        var again = await Repository.Repository.OpenAsync(storage, KeySource.FromPassphrase("pw", "t"), Path.Combine(_dir, "cache"), default);
        var unindexed = await again.LoadIndexAsync(default);
        Assert.Single(unindexed);
        await using (var saver2 = new BlobSaver(again, unindexed))
        {
            Assert.Equal(id, await saver2.SaveAsync(BlobType.Data, data, default));
            await saver2.FlushAsync(default);
            Assert.Equal(0, saver2.NewBlobs);
            Assert.Single(saver2.WrittenIndexes);
        }
        var fresh = await ReopenAsync();
        await fresh.LoadIndexAsync(default);
        Assert.Equal(data, await new BlobLoader(fresh).LoadAsync(id, default));
    }
}
