using Offsite.Core.Storage;
using Offsite.TestSupport.Storage;

namespace Offsite.Storage.Tests;

/// <summary>The in-memory storage passes the same conformance suite as local disk and S3, plus its Object Lock model.</summary>
public sealed class MemoryStorageTests : StorageConformance
{
    protected override IStorage CreateStorage() => new MemoryStorage();

    [Fact]
    public async Task A_locked_object_cannot_be_deleted_until_its_retention_passes()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var s = new MemoryStorage(clock) { LockFor = TimeSpan.FromDays(1) };
        await s.PutAsync("packs/aa/x", new byte[] { 1 }, default);
        Assert.Equal(clock.GetUtcNow().AddDays(1), await s.GetRetainUntilAsync("packs/aa/x", default));
        await Assert.ThrowsAsync<StorageException>(() => s.DeleteAsync("packs/aa/x", default));
        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        await s.DeleteAsync("packs/aa/x", default);
        Assert.Null(await s.HeadAsync("packs/aa/x", default));
    }

    [Fact]
    public async Task Faulty_storage_fails_the_chosen_call_and_logs_every_call()
    {
        var s = new FaultyStorage(new MemoryStorage()).Fail(StorageOp.Put, "packs/", () => new StorageException("injected"), after: 1);
        await s.PutAsync("packs/aa/1", new byte[] { 1 }, default);
        await Assert.ThrowsAsync<StorageException>(() => s.PutAsync("packs/aa/2", new byte[] { 2 }, default));
        await s.PutAsync("packs/aa/3", new byte[] { 3 }, default);
        Assert.Equal(["Put packs/aa/1", "Put packs/aa/2", "Put packs/aa/3"], s.Log);
        Assert.Null(await s.HeadAsync("packs/aa/2", default));
    }
}
