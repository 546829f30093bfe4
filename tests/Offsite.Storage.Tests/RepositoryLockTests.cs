using System.Text;
using System.Text.Json;
using Offsite.Core.Storage;
using Offsite.Storage.Local;
using Offsite.Core.Locking;
using Offsite.Storage.S3;

namespace Offsite.Storage.Tests;

/// <summary>
/// The prune lock (<see cref="RepositoryLock"/>) on every backend: a derived class supplies fresh storage handles that
/// all see the same empty location (each contender gets its own handle, as separate processes would).
/// </summary>
public abstract class RepositoryLockContract
{
    /// <summary>A new handle on the shared location of this test.</summary>
    protected abstract IStorage OpenStorage();

    private static RepositoryLockOptions Options(string host, TimeSpan? ttl = null) => new()
    {
        Host = host,
        Pid = 4242,
        Ttl = ttl ?? TimeSpan.FromMinutes(5),
        SettleDelay = TimeSpan.FromMilliseconds(300),
    };

    private static byte[] Json(LockInfo info) => JsonSerializer.SerializeToUtf8Bytes(info);

    private static async Task<(int Won, List<RepositoryLock> Winners, List<RepositoryLockedException> Losers)> RaceAsync(IStorage[] handles)
    {
        using var start = new SemaphoreSlim(0, handles.Length);
        var tasks = handles.Select((s, i) => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await RepositoryLock.AcquireAsync(s, "prune", Options($"host-{i}"), default);
        })).ToArray();
        start.Release(handles.Length);
        var winners = new List<RepositoryLock>();
        var losers = new List<RepositoryLockedException>();
        foreach (var t in tasks)
        {
            try
            {
                winners.Add(await t);
            }
            catch (RepositoryLockedException e)
            {
                losers.Add(e);
            }
        }
        return (winners.Count, winners, losers);
    }

    [Fact]
    public async Task Of_concurrent_contenders_exactly_one_wins_and_the_others_are_told_who_holds_it()
    {
        var handles = Enumerable.Range(0, 4).Select(_ => OpenStorage()).ToArray();
        try
        {
            for (int round = 0; round < 3; round++)
            {
                var (won, winners, losers) = await RaceAsync(handles);
                Assert.Equal(1, won);
                Assert.Equal(3, losers.Count);
                LockInfo holder = winners[0].Info;
                foreach (var e in losers)
                {
                    Assert.Equal(holder.Id, e.Holder!.Id);
                    Assert.Contains(holder.Host, e.Message, StringComparison.Ordinal);
                    Assert.Contains("pid 4242", e.Message, StringComparison.Ordinal);
                    Assert.Contains($"expires {holder.Expires:u}", e.Message, StringComparison.Ordinal);
                }
                Assert.True(await winners[0].ReleaseAsync(default));
            }
        }
        finally
        {
            foreach (var h in handles) await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stale_lock_heals_and_contenders_racing_for_it_still_produce_exactly_one_winner()
    {
        var handles = Enumerable.Range(0, 4).Select(_ => OpenStorage()).ToArray();
        try
        {
            for (int round = 0; round < 3; round++)
            {
                var crashed = new LockInfo("crashed-host", 1, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1), $"dead{round}");
                await handles[0].PutAsync("locks/prune", Json(crashed), default);
                var (won, winners, losers) = await RaceAsync(handles);
                Assert.Equal(1, won);
                Assert.All(losers, e => Assert.Equal(winners[0].Info.Id, e.Holder!.Id));
                var stored = await RepositoryLock.ReadAsync(handles[1], "locks/prune", Options("x"), default);
                Assert.Equal(winners[0].Info, stored);
                Assert.True(await winners[0].ReleaseAsync(default));
            }
        }
        finally
        {
            foreach (var h in handles) await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unexpired_lock_blocks_and_release_lets_the_next_one_in()
    {
        await using var a = OpenStorage();
        await using var b = OpenStorage();
        var first = await RepositoryLock.AcquireAsync(a, "prune", Options("alpha"), default);
        Assert.Equal("locks/prune", first.Key);
        var e = await Assert.ThrowsAsync<RepositoryLockedException>(() => RepositoryLock.AcquireAsync(b, "prune", Options("beta"), default));
        Assert.Contains("held by alpha (pid 4242)", e.Message, StringComparison.Ordinal);
        Assert.Contains("expires ", e.Message, StringComparison.Ordinal);
        // Another lock name is independent.
        await using (var other = await RepositoryLock.AcquireAsync(b, "other", Options("beta"), default))
        {
            Assert.Equal("beta", other.Info.Host);
        }

        Assert.True(await first.ReleaseAsync(default));
        Assert.False(await first.ReleaseAsync(default)); // once only
        Assert.Null(await b.HeadAsync("locks/prune", default));
        await using var second = await RepositoryLock.AcquireAsync(b, "prune", Options("beta"), default);
        Assert.Equal("beta", second.Info.Host);
    }

    [Fact]
    public async Task Refresh_extends_the_expiry_while_held_and_a_taken_over_lock_is_reported_lost_not_deleted()
    {
        await using var a = OpenStorage();
        await using var b = OpenStorage();
        var held = await RepositoryLock.AcquireAsync(a, "prune", Options("alpha", TimeSpan.FromSeconds(30)), default);
        DateTimeOffset before = held.Info.Expires;
        await Task.Delay(50);
        await held.RefreshAsync(default);
        Assert.True(held.Info.Expires > before);
        Assert.Equal(held.Info, await RepositoryLock.ReadAsync(b, "locks/prune", Options("x"), default));

        // It expired while its holder hung and someone else took it over.
        var thief = new LockInfo("beta", 7, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(5), "beta-lock");
        await b.PutAsync("locks/prune", Json(thief), default);
        var lost = await Assert.ThrowsAsync<LockLostException>(() => held.RefreshAsync(default));
        Assert.Contains("held by beta", lost.Message, StringComparison.Ordinal);
        Assert.True(held.LostToken.IsCancellationRequested);
        Assert.False(await held.ReleaseAsync(default)); // never deletes someone else's lock
        Assert.Equal("beta-lock", (await RepositoryLock.ReadAsync(b, "locks/prune", Options("x"), default))!.Id);
    }

    [Fact]
    public async Task Keep_alive_refreshes_in_the_background_until_release()
    {
        await using var a = OpenStorage();
        await using var held = await RepositoryLock.AcquireAsync(a, "prune", Options("alpha", TimeSpan.FromSeconds(3)), default);
        DateTimeOffset first = held.Info.Expires;
        held.StartKeepAlive(TimeSpan.FromMilliseconds(300));
        await Task.Delay(1500);
        Assert.True(held.Info.Expires > first, "the keep-alive did not refresh");
        var stored = await RepositoryLock.ReadAsync(a, "locks/prune", Options("x"), default);
        Assert.True(stored!.Expires > first);
        Assert.Null(held.KeepAliveError);
        Assert.True(await held.ReleaseAsync(default));
        Assert.Null(await a.HeadAsync("locks/prune", default));
    }

    [Fact]
    public async Task An_unreadable_lock_object_counts_as_held_for_one_ttl_from_when_it_was_written()
    {
        await using var a = OpenStorage();
        await a.PutAsync("locks/prune", Encoding.UTF8.GetBytes("{ truncated"), default);
        var e = await Assert.ThrowsAsync<RepositoryLockedException>(() => RepositoryLock.AcquireAsync(a, "prune", Options("alpha"), default));
        Assert.Contains("unreadable", e.Message, StringComparison.Ordinal);
        // With a TTL of 1 ms it is already stale and heals (the pause makes sure 1 ms has passed on a storage
        // whose modification times are exact, such as the in-memory one).
        await Task.Delay(5);
        await using var won = await RepositoryLock.AcquireAsync(a, "prune", Options("alpha") with { Ttl = TimeSpan.FromMilliseconds(1) }, default);
        Assert.Equal("alpha", won.Info.Host);
    }
}

public sealed class LocalRepositoryLockTests : RepositoryLockContract, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "offsite-lock-" + Guid.NewGuid().ToString("N"));

    protected override IStorage OpenStorage() => new LocalStorage(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}

/// <summary>The same lock tests on the in-memory storage (each contender a separate handle on one dictionary).</summary>
public sealed class MemoryRepositoryLockTests : RepositoryLockContract
{
    private readonly Offsite.TestSupport.Storage.MemoryStorage _shared = new();

    protected override IStorage OpenStorage() => new Offsite.TestSupport.Storage.DelegatingStorage(_shared);
}

/// <summary>The same lock tests on Ceph RGW (conditional create is If-None-Match: *). Fails without OFFSITE_TEST_S3_ENDPOINT, like <see cref="S3StorageTests"/>.</summary>
public sealed class S3RepositoryLockTests : RepositoryLockContract, IAsyncLifetime
{
    private static readonly Lazy<Task<string>> SharedBucket = new(() => S3TestEnv.CreateBucketAsync("lock"));
    private readonly string _prefix = $"t-{Guid.NewGuid():N}/";
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await S3TestEnv.RequireSharedBucketAsync(SharedBucket);

    public Task DisposeAsync() => Task.CompletedTask;

    protected override IStorage OpenStorage() => new S3Storage(S3TestEnv.Options(_bucket, _prefix));
}
