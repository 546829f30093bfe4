using Offsite.Core.Storage;

namespace Offsite.Core.Tests;

/// <summary>Passes everything to a real storage and counts the pack reads (whole and ranged) and bytes read.</summary>
internal sealed class CountingStorage(IStorage inner) : IStorage
{
    private long _bytes;
    private int _whole, _ranges;

    public long BytesRead => Interlocked.Read(ref _bytes);
    public int WholeReads => _whole;
    public int RangeReads => _ranges;
    public string Location => inner.Location;

    public System.Collections.Concurrent.ConcurrentDictionary<string, int> PackReads { get; } = new();

    /// <summary>Whole-object reads by the first segment of the key (config, keys, index, snapshots, packs).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Gets { get; } = new();

    public void Reset()
    {
        (_bytes, _whole, _ranges) = (0, 0, 0);
        PackReads.Clear();
        Gets.Clear();
    }

    public async Task<byte[]> GetAsync(string key, CancellationToken cancellationToken)
    {
        byte[] data = await inner.GetAsync(key, cancellationToken);
        Gets.AddOrUpdate(key.Split('/')[0], 1, (_, n) => n + 1);
        if (key.StartsWith("packs/", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _whole);
            PackReads.AddOrUpdate(key, 1, (_, n) => n + 1);
            Interlocked.Add(ref _bytes, data.Length);
        }
        return data;
    }

    public async Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        byte[] data = await inner.GetRangeAsync(key, offset, length, cancellationToken);
        Interlocked.Increment(ref _ranges);
        Interlocked.Add(ref _bytes, data.Length);
        return data;
    }

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => inner.PutAsync(key, data, cancellationToken);
    public Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => inner.TryCreateAsync(key, data, cancellationToken);
    public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);
    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
