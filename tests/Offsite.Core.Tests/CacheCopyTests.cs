using Offsite.Core.Backup;
using Offsite.Core.Content;
using Offsite.Core.Repository;
using Offsite.Core.Trees;
using Offsite.Storage.Local;

namespace Offsite.Core.Tests;

/// <summary>
/// The index objects a host writes and the tree packs it writes or reads are kept in the local
/// cache (as restic does): opening the repository and walking a snapshot again cost no request. A cache copy is only ever a copy: verified by its id, replaced when damaged, dropped
/// when the repository no longer has the pack, and never used by check.
/// </summary>
public sealed class CacheCopyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-treecache-" + Guid.NewGuid().ToString("N"));

    public CacheCopyTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    private string Cache => Path.Combine(_dir, "cache");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private async Task<(Repository.Repository Repo, CountingStorage Storage, BlobId Root)> BackUpAndReopenAsync(bool loadIndex = true)
    {
        string source = Path.Combine(_dir, "src");
        for (int d = 0; d < 5; d++)
        {
            Directory.CreateDirectory(Path.Combine(source, $"d{d}"));
            File.WriteAllText(Path.Combine(source, $"d{d}", "f"), $"file {d}");
        }
        var local = new LocalStorage(Path.Combine(_dir, "repo"));
        var writer = await Repository.Repository.InitAsync(local, "pw", new RepositoryConfig(), Cache, default);
        var snapshot = await new BackupRunner(writer).BackupTreeAsync(new Offsite.Sources.Files.LocalDirectorySource([source]), new SnapshotTemplate("t", "h", [source], []), default);
        var counting = new CountingStorage(local);
        var repo = await Repository.Repository.OpenAsync(counting, KeySource.FromPassphrase("pw", "t"), Cache, default);
        counting.Reset();
        if (loadIndex)
        {
            await repo.LoadIndexAsync(default);
            counting.Reset();
        }
        return (repo, counting, BlobId.Parse(snapshot.Tree));
    }

    private static async Task<int> CountNodesAsync(BlobLoader loader, BlobId tree)
    {
        int n = 0;
        foreach (var node in Tree.Parse(await loader.LoadAsync(tree, default), "t").Nodes)
        {
            n++;
            if (node.Subtree is not null)
            {
                n += await CountNodesAsync(loader, BlobId.Parse(node.Subtree));
            }
        }
        return n;
    }

    private string CachedPackPath() => Directory.GetFiles(Cache, "*", SearchOption.AllDirectories).Single(f => Path.GetFileName(Path.GetDirectoryName(f)) == "packs");

    [Fact]
    public async Task The_backup_leaves_its_tree_pack_in_the_cache_and_a_walk_reads_no_pack()
    {
        var (repo, storage, root) = await BackUpAndReopenAsync();

        int nodes = await CountNodesAsync(new BlobLoader(repo), root);

        Assert.True(nodes > 10, $"{nodes} nodes");
        Assert.Equal(0, storage.WholeReads + storage.RangeReads);
    }

    [Fact]
    public async Task The_index_a_backup_wrote_is_loaded_from_the_cache()
    {
        var (repo, storage, _) = await BackUpAndReopenAsync(loadIndex: false);

        await repo.LoadIndexAsync(default);

        Assert.Equal(0, storage.Gets.GetValueOrDefault("index"));
        Assert.True(repo.Index.PackCount >= 2, $"{repo.Index.PackCount} packs indexed");
    }

    [Fact]
    public async Task A_damaged_cache_copy_is_read_again_from_the_repository_and_replaced()
    {
        var (repo, storage, root) = await BackUpAndReopenAsync();
        string cached = CachedPackPath();
        byte[] good = File.ReadAllBytes(cached);
        byte[] bad = (byte[])good.Clone();
        bad[bad.Length / 2] ^= 1;
        File.WriteAllBytes(cached, bad);

        await CountNodesAsync(new BlobLoader(repo), root);

        Assert.Equal(1, storage.WholeReads);
        Assert.Equal(good, File.ReadAllBytes(cached));
    }

    [Fact]
    public async Task A_walk_reading_tree_blobs_from_the_copy_one_by_one_reads_no_pack_and_gets_the_same_trees()
    {
        var (repo, storage, root) = await BackUpAndReopenAsync();

        int ranged = await CountNodesAsync(new BlobLoader(repo, localTreeRanges: true), root);

        Assert.Equal(0, storage.WholeReads + storage.RangeReads);
        Assert.Equal(await CountNodesAsync(new BlobLoader(repo, localCopies: false), root), ranged);
    }

    [Fact]
    public async Task A_damaged_copy_read_blob_by_blob_is_read_again_from_the_repository_and_replaced()
    {
        var (repo, storage, root) = await BackUpAndReopenAsync();
        string cached = CachedPackPath();
        byte[] good = File.ReadAllBytes(cached);
        // Every byte after the header flipped: whichever chunk a tree blob is in fails to authenticate.
        byte[] bad = (byte[])good.Clone();
        for (int i = 200; i < bad.Length; i++) bad[i] ^= 1;
        File.WriteAllBytes(cached, bad);

        int nodes = await CountNodesAsync(new BlobLoader(repo, localTreeRanges: true), root);

        Assert.True(nodes > 10, $"{nodes} nodes");
        Assert.Equal(1, storage.WholeReads);
        Assert.Equal(good, File.ReadAllBytes(cached));
    }

    [Fact]
    public async Task Check_reads_the_repository_not_the_cache()
    {
        var (repo, storage, root) = await BackUpAndReopenAsync();

        await CountNodesAsync(new BlobLoader(repo, localCopies: false), root);

        Assert.Equal(1, storage.WholeReads);
    }

    [Fact]
    public async Task Packs_the_index_no_longer_lists_leave_the_cache()
    {
        var (repo, _, _) = await BackUpAndReopenAsync();
        string cached = CachedPackPath();
        string stale = Path.Combine(Path.GetDirectoryName(cached)!, new string('0', 64));
        File.WriteAllBytes(stale, [1, 2, 3]);

        await repo.LoadIndexAsync(default);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(cached));
    }
}
