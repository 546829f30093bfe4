using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;
using Offsite.Storage.Local;

namespace Offsite.Core.Tests;

/// <summary>The two client-side rules of lifecycle retention (docs/format.md), with one-second "days".</summary>
public sealed class LifecycleRetentionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-lc-" + Guid.NewGuid().ToString("N"));

    public LifecycleRetentionTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private Task<Repository.Repository> InitAsync(int expireDays, int refreshDays) =>
        Repository.Repository.InitAsync(new LocalStorage(Path.Combine(_dir, "repo")), "pw",
            new RepositoryConfig { Retention = new RetentionConfig { ExpireDays = expireDays, RefreshDays = refreshDays, DaySeconds = 1 } }, "", default);

    [Fact]
    public async Task Data_older_than_the_refresh_horizon_is_uploaded_again_and_the_new_copy_is_read()
    {
        var repo = await InitAsync(expireDays: 3, refreshDays: 1);
        byte[] data = new byte[100_000];
        new Random(5).NextBytes(data);
        BlobId id;
        await using (var saver = new BlobSaver(repo, []))
        {
            id = await saver.SaveAsync(BlobType.Data, data, default);
            await saver.SaveAsync(BlobType.Data, data, default);
            await saver.FlushAsync(default);
            Assert.Equal(1, saver.NewBlobs);
        }
        Assert.True(repo.CanReuse(id));
        string firstPack = repo.Index.Find(id)!.Pack.Id;

        await Task.Delay(1200); // past the one-"day" refresh horizon
        Assert.False(repo.CanReuse(id));
        await using (var saver = new BlobSaver(repo, []))
        {
            Assert.Equal(id, await saver.SaveAsync(BlobType.Data, data, default));
            await saver.FlushAsync(default);
            Assert.Equal(1, saver.NewBlobs);
        }
        Assert.NotEqual(firstPack, repo.Index.Find(id)!.Pack.Id);

        // The bucket deletes the old pack; a fresh reader still finds the blob (newest copy wins).
        File.Delete(Directory.GetFiles(Path.Combine(_dir, "repo", "packs"), firstPack, SearchOption.AllDirectories).Single());
        var reader = await Repository.Repository.OpenAsync(new LocalStorage(Path.Combine(_dir, "repo")), KeySource.FromPassphrase("pw", "t"), "", default);
        await reader.LoadIndexAsync(default);
        Assert.Equal(data, await new BlobLoader(reader).LoadAsync(id, default));
    }

    [Fact]
    public async Task Snapshots_older_than_expiry_minus_refresh_are_expired()
    {
        var repo = await InitAsync(expireDays: 3, refreshDays: 1);
        Assert.False(repo.IsExpired(new Snapshot { Time = DateTimeOffset.UtcNow.AddSeconds(-1.5) }));
        Assert.True(repo.IsExpired(new Snapshot { Time = DateTimeOffset.UtcNow.AddSeconds(-2.5) }));
        var pack = new PackInfo("p", DateTimeOffset.UtcNow.AddSeconds(-3.5), 1, []);
        Assert.True(repo.MayHaveExpired(pack));
        Assert.False(repo.MayHaveExpired(pack with { Created = DateTimeOffset.UtcNow.AddSeconds(-2) }));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 0)]
    [InlineData(2, 3)]
    public void Unsafe_settings_are_refused(int expireDays, int refreshDays)
    {
        var config = new RetentionConfig { ExpireDays = expireDays, RefreshDays = refreshDays };
        Assert.Equal(ErrorKind.Usage, Assert.Throws<OffsiteException>(config.Validate).Kind);
    }

    [Fact]
    public void The_newest_copy_of_a_blob_wins_in_the_index()
    {
        var index = new MasterIndex();
        var older = new PackInfo("old", DateTimeOffset.UtcNow.AddDays(-10), 1, [new PackEntry(new BlobId(new byte[32]), BlobType.Data, BlobCompression.None, 0, 1, 1)]);
        var newer = older with { Id = "new", Created = DateTimeOffset.UtcNow };
        index.Add(newer);
        index.Add(older);
        Assert.Equal("new", index.Find(new BlobId(new byte[32]))!.Pack.Id);
    }
}
