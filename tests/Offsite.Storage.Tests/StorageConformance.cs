using System.Text;
using Offsite.Core.Storage;

namespace Offsite.Storage.Tests;

/// <summary>
/// The contract every storage backend must meet. A backend's test class derives from this and
/// supplies a fresh, empty storage; the same assertions then run against local disk and S3.
/// </summary>
public abstract class StorageConformance
{
    protected abstract IStorage CreateStorage();

    private static ReadOnlyMemory<byte> Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Put_then_get_returns_the_same_bytes()
    {
        await using var s = CreateStorage();
        var data = new byte[3 * 1024 * 1024 + 17];
        new Random(1).NextBytes(data);
        await s.PutAsync("packs/ab/abcdef", data, default);
        Assert.Equal(data, await s.GetAsync("packs/ab/abcdef", default));
    }

    [Fact]
    public async Task Empty_objects_round_trip()
    {
        await using var s = CreateStorage();
        await s.PutAsync("index/empty", ReadOnlyMemory<byte>.Empty, default);
        Assert.Empty(await s.GetAsync("index/empty", default));
        Assert.Equal(0, (await s.HeadAsync("index/empty", default))!.Size);
        await using var stream = await s.OpenReadAsync("index/empty", default);
        Assert.Equal(0, await stream.ReadAsync(new byte[16]));
    }

    [Fact]
    public async Task A_streamed_read_returns_the_whole_object()
    {
        await using var s = CreateStorage();
        byte[] data = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        await s.PutAsync("packs/ab/streamed", data, default);

        await using var stream = await s.OpenReadAsync("packs/ab/streamed", default);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task Get_of_a_missing_object_is_classified_as_not_found()
    {
        await using var s = CreateStorage();
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => s.GetAsync("snapshots/nope", default));
        Assert.Equal("snapshots/nope", e.Key);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => s.GetRangeAsync("snapshots/nope", 0, 10, default));
        Assert.Null(await s.HeadAsync("snapshots/nope", default));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(5, 5)]
    [InlineData(90, 10)]
    [InlineData(95, 10)]   // past the end: shorter result
    [InlineData(100, 10)]  // at the end: empty
    [InlineData(0, 0)]
    public async Task Ranged_get_returns_the_slice(int offset, int length)
    {
        await using var s = CreateStorage();
        byte[] data = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        await s.PutAsync("packs/00/range", data, default);
        byte[] got = await s.GetRangeAsync("packs/00/range", offset, length, default);
        Assert.Equal(data.Skip(offset).Take(length).ToArray(), got);
    }

    [Fact]
    public async Task Head_reports_size_and_a_recent_time()
    {
        await using var s = CreateStorage();
        await s.PutAsync("config", Bytes("hello"), default);
        var info = await s.HeadAsync("config", default);
        Assert.NotNull(info);
        Assert.Equal(5, info.Size);
        Assert.InRange(info.LastModified, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(10));
    }

    [Fact]
    public async Task List_filters_by_prefix_and_sees_every_object_across_pages()
    {
        await using var s = CreateStorage();
        for (int i = 0; i < 1100; i++) // more than one S3 page (1000)
        {
            await s.PutAsync($"packs/{i % 7:x2}/{i:x64}", Bytes("x"), default);
        }
        await s.PutAsync("index/one", Bytes("i"), default);
        var packs = new List<ObjectInfo>();
        await foreach (var o in s.ListAsync("packs/", default)) packs.Add(o);
        Assert.Equal(1100, packs.Count);
        Assert.Equal(1100, packs.Select(p => p.Key).Distinct().Count());
        Assert.All(packs, p => Assert.StartsWith("packs/", p.Key, StringComparison.Ordinal));
        var index = new List<ObjectInfo>();
        await foreach (var o in s.ListAsync("index/", default)) index.Add(o);
        Assert.Equal("index/one", Assert.Single(index).Key);
    }

    [Fact]
    public async Task List_of_an_empty_prefix_is_empty()
    {
        await using var s = CreateStorage();
        await foreach (var o in s.ListAsync("snapshots/", default))
        {
            Assert.Fail($"unexpected {o.Key}");
        }
    }

    [Fact]
    public async Task Delete_removes_and_is_idempotent()
    {
        await using var s = CreateStorage();
        await s.PutAsync("locks/l1", Bytes("x"), default);
        await s.DeleteAsync("locks/l1", default);
        Assert.Null(await s.HeadAsync("locks/l1", default));
        await s.DeleteAsync("locks/l1", default);
    }

    [Fact]
    public async Task Conditional_create_succeeds_once()
    {
        await using var s = CreateStorage();
        Assert.True(await s.TryCreateAsync("locks/prune", Bytes("first"), default));
        Assert.False(await s.TryCreateAsync("locks/prune", Bytes("second"), default));
        Assert.Equal("first", Encoding.UTF8.GetString(await s.GetAsync("locks/prune", default)));
    }

    [Fact]
    public async Task Concurrent_conditional_creates_have_exactly_one_winner()
    {
        await using var s = CreateStorage();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => s.TryCreateAsync("locks/race", Bytes($"writer {i}"), default))));
        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task Concurrent_writers_of_distinct_objects_all_land()
    {
        await using var s = CreateStorage();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => s.PutAsync($"packs/cc/{i:x8}", new byte[10_000 + i], default))));
        int n = 0;
        await foreach (var o in s.ListAsync("packs/cc/", default))
        {
            n++;
            Assert.Equal(10_000 + int.Parse(o.Key[^8..], System.Globalization.NumberStyles.HexNumber), o.Size);
        }
        Assert.Equal(32, n);
    }

    [Fact]
    public async Task Put_replaces_atomically()
    {
        await using var s = CreateStorage();
        await s.PutAsync("config", Bytes("one"), default);
        await s.PutAsync("config", Bytes("two"), default);
        Assert.Equal("two", Encoding.UTF8.GetString(await s.GetAsync("config", default)));
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        await using var s = CreateStorage();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s.PutAsync("packs/aa/cancel", new byte[1 << 20], cts.Token));
    }
}
