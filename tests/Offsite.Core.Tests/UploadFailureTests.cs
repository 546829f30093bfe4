using Offsite.Core.Content;
using Offsite.Core.Repository;
using Offsite.Core.Storage;
using Offsite.Storage.Local;

namespace Offsite.Core.Tests;

/// <summary>A failing upload must surface as that storage error, whatever else was in flight.</summary>
public sealed class UploadFailureTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-upfail-" + Guid.NewGuid().ToString("N"));

    public UploadFailureTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Theory]
    [InlineData(0, 40)]
    [InlineData(1, 40)]
    [InlineData(3, 40)]
    // Two full packs whose slow uploads fail while the last partial pack waits for an upload slot in FlushAsync.
    [InlineData(0, 10)]
    public async Task The_storage_error_is_reported_not_a_cancellation(int goodPuts, int blobs)
    {
        var local = new LocalStorage(Path.Combine(_dir, "repo"));
        var repo = await Repository.Repository.InitAsync(local, "pw", new RepositoryConfig { PackSize = 1 << 20 }, "", default);
        var failing = new FailingStorage(local, goodPuts);
        var reopened = await Repository.Repository.OpenAsync(failing, KeySource.FromPassphrase("pw", "t"), "", default);
        var e = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            await using var saver = new BlobSaver(reopened, []);
            var rng = new Random(3);
            for (int i = 0; i < blobs; i++)
            {
                var data = new byte[300_000];
                rng.NextBytes(data);
                await saver.SaveAsync(BlobType.Data, data, default);
            }
            await saver.FlushAsync(default);
        });
        Assert.Contains("injected", e.Message, StringComparison.Ordinal);
        _ = repo;
    }

    /// <summary>Lets <c>goodPuts</c> pack writes through, then fails every one, like a full disk or a dead server.</summary>
    private sealed class FailingStorage(IStorage inner, int goodPuts) : IStorage
    {
        private int _puts;
        public string Location => inner.Location;

        public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            key.StartsWith("packs/", StringComparison.Ordinal) && Interlocked.Increment(ref _puts) > goodPuts
                ? FailSlowlyAsync(key)
                : inner.PutAsync(key, data, cancellationToken);

        private static async Task FailSlowlyAsync(string key)
        {
            await Task.Delay(300);
            throw new StorageException($"injected failure writing {key}");
        }

        public Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => inner.TryCreateAsync(key, data, cancellationToken);
        public Task<byte[]> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);
        public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken) => inner.GetRangeAsync(key, offset, length, cancellationToken);
        public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);
        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
