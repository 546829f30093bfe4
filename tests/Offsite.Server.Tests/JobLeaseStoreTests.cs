using Microsoft.Extensions.Time.Testing;
using Offsite.Server.Abstractions;
using Offsite.Server.Leases;
using Offsite.Server.Tests.Doubles;

namespace Offsite.Server.Tests;

/// <summary>Job leases on a real local-directory storage (conditional create = link(2)), clocks faked.</summary>
public sealed class JobLeaseStoreTests : IDisposable
{
    private readonly LocalLeaseStorage _storage = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));

    private JobLeaseStore Store(string host, TimeProvider? time = null) =>
        new(_storage.GetStorage("main"), new JobLeaseOptions { Host = host, Pid = 1, Ttl = TimeSpan.FromMinutes(2), Time = time ?? _clock });

    [Fact]
    public async Task Second_host_is_refused_while_the_lease_is_held_and_gets_the_next_token_after_release()
    {
        await using JobLease a = await Store("a").AcquireAsync("db", default);
        Assert.Equal(1, a.Token);
        var held = await Assert.ThrowsAsync<JobLeaseHeldException>(() => Store("b").AcquireAsync("db", default));
        Assert.Contains("held by a", held.Message, StringComparison.Ordinal);

        Assert.True(await a.ReleaseAsync(_clock.GetUtcNow(), default));
        await using JobLease b = await Store("b").AcquireAsync("db", default);
        Assert.Equal(2, b.Token);
        Assert.Equal(_clock.GetUtcNow(), b.Record.LastSuccess); // carried over from a's release
        // Only the current token object is kept.
        var keys = new List<string>();
        await foreach (var o in _storage.GetStorage("main").ListAsync("locks/job-db/", default))
        {
            keys.Add(o.Key);
        }
        Assert.Equal(["locks/job-db/00000000000000000002"], keys);
    }

    [Fact]
    public async Task A_holder_that_stops_renewing_is_taken_over_after_expiry_and_its_fence_then_fails()
    {
        // "kill -9": host a takes the lease and never renews or releases it.
        JobLease dead = await Store("a").AcquireAsync("db", default);
        await Assert.ThrowsAsync<JobLeaseHeldException>(() => Store("b").AcquireAsync("db", default));

        _clock.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<JobLeaseHeldException>(() => Store("b").AcquireAsync("db", default));

        _clock.Advance(TimeSpan.FromSeconds(1));
        await using JobLease b = await Store("b").AcquireAsync("db", default);
        Assert.Equal(2, b.Token);

        // Had host a only been frozen, not killed: it must not commit now.
        var lost = await Assert.ThrowsAsync<JobLeaseLostException>(() => dead.VerifyAsync(default));
        Assert.Contains("taken over", lost.Message, StringComparison.Ordinal);
        Assert.True(dead.LostToken.IsCancellationRequested);
        await b.VerifyAsync(default);
        Assert.False(await dead.ReleaseAsync(null, default)); // never touches b's lease
        await b.VerifyAsync(default);
    }

    [Fact]
    public async Task Fence_fails_after_expiry_even_when_nobody_took_over()
    {
        JobLease lease = await Store("a").AcquireAsync("db", default);
        _clock.Advance(TimeSpan.FromMinutes(3));
        await Assert.ThrowsAsync<JobLeaseLostException>(() => lease.VerifyAsync(default));
    }

    [Fact]
    public async Task Renewal_keeps_the_lease_past_its_first_ttl()
    {
        await using JobLease lease = await Store("a").AcquireAsync("db", default);
        for (int i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(40));
            await lease.RenewAsync(default);
        }
        await Assert.ThrowsAsync<JobLeaseHeldException>(() => Store("b").AcquireAsync("db", default));
        await lease.VerifyAsync(default);
    }

    [Fact]
    public async Task Of_many_hosts_racing_for_a_free_lease_exactly_one_wins()
    {
        for (int round = 0; round < 5; round++)
        {
            var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                try
                {
                    return await Store("host" + i).AcquireAsync("race", default);
                }
                catch (JobLeaseHeldException)
                {
                    return null;
                }
            })).ToArray();
            JobLease?[] results = await Task.WhenAll(tasks);
            JobLease winner = Assert.Single(results, r => r is not null)!;
            Assert.Equal(round + 1, winner.Token);
            await winner.ReleaseAsync(null, default);
        }
    }

    [Fact]
    public async Task An_unreadable_lease_object_counts_as_held_for_one_ttl()
    {
        await _storage.GetStorage("main").PutAsync(JobLeaseStore.KeyOf("db", 7), "garbage"u8.ToArray(), default);
        // The unreadable object is held from its (real) modification time for one TTL; our fake clock is in 2026-12-01,
        // far before the file's mtime, so it is held.
        await Assert.ThrowsAsync<JobLeaseHeldException>(() => Store("a").AcquireAsync("db", default));
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(3));
        await using JobLease lease = await Store("a", later).AcquireAsync("db", default);
        Assert.Equal(8, lease.Token);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("white space")]
    public void Job_names_that_are_not_safe_in_keys_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => JobLeaseStore.KeyOf(name, 1));

    public void Dispose() => _storage.Dispose();
}
