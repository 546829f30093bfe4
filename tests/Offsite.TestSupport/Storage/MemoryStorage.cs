using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Offsite.Core.Storage;

namespace Offsite.TestSupport.Storage;

/// <summary>
/// Storage in a dictionary (after restic's mem backend and Kopia's blobtesting map storage): fast, exact, and with a
/// controllable clock, so tests of prune and retention need no disk and no sleeps. Optionally models S3 Object Lock:
/// <see cref="LockFor"/> gives every object written a retain-until date, and deleting a locked object throws (stricter than
/// S3, where a plain DELETE hides a locked version behind a delete marker: code must never try).
/// Data is copied in and out, so callers cannot change stored bytes by accident.
/// </summary>
public sealed class MemoryStorage : IStorage, IObjectRetention
{
    private readonly ConcurrentDictionary<string, Entry> _objects = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public MemoryStorage(TimeProvider? time = null, string location = "memory:")
    {
        _time = time ?? TimeProvider.System;
        Location = location;
    }

    public string Location { get; }

    /// <summary>When set, every object written gets retain-until = write time + this (Object Lock in compliance mode).</summary>
    public TimeSpan? LockFor { get; set; }

    public int Count => _objects.Count;

    public IEnumerable<string> Keys => _objects.Keys.Order(StringComparer.Ordinal).ToList();

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Validate(key);
        // On a versioned S3 bucket a PUT over a locked object adds a version; the locked one stays, invisibly.
        _objects[key] = NewEntry(data);
        return Task.CompletedTask;
    }

    public Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Validate(key);
        return Task.FromResult(_objects.TryAdd(key, NewEntry(data)));
    }

    public Task<byte[]> GetAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Find(key).Data.ToArray());
    }

    public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        byte[] data = Find(key).Data;
        if (offset >= data.Length)
        {
            return Task.FromResult(Array.Empty<byte>());
        }
        int n = (int)Math.Min(length, data.Length - offset);
        return Task.FromResult(data.AsSpan((int)offset, n).ToArray());
    }

    public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_objects.TryGetValue(key, out var e) ? new ObjectInfo(key, e.Data.Length, e.Modified) : null);
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A snapshot of the keys, like a paged listing: objects added meanwhile may or may not appear.
        foreach (var (key, e) in _objects.ToArray())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return new ObjectInfo(key, e.Data.Length, e.Modified);
            }
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_objects.TryGetValue(key, out var e) && e.RetainUntil > _time.GetUtcNow())
        {
            throw new StorageException($"memory DELETE {key}: AccessDenied, the object is locked until {e.RetainUntil:O}");
        }
        _objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public bool RetentionSupported => LockFor is not null;

    public Task<DateTimeOffset?> GetRetainUntilAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(Find(key).RetainUntil);

    public Task ExtendRetentionAsync(string key, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var e = Find(key);
        if (e.RetainUntil is { } current && until < current)
        {
            throw new StorageException($"memory PUT retention {key}: retention can only be extended");
        }
        _objects[key] = e with { RetainUntil = until };
        return Task.CompletedTask;
    }

    /// <summary>Replaces an object's bytes (to model damage); the tests' only way around immutability.</summary>
    public void Corrupt(string key, Func<byte[], byte[]> change) => _objects[key] = Find(key) with { Data = change(Find(key).Data.ToArray()) };

    /// <summary>Sets an object's modification time (to age objects without waiting).</summary>
    public void SetModified(string key, DateTimeOffset time) => _objects[key] = Find(key) with { Modified = time };

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Entry NewEntry(ReadOnlyMemory<byte> data)
    {
        DateTimeOffset now = _time.GetUtcNow();
        return new Entry(data.ToArray(), now, LockFor is { } l ? now + l : null);
    }

    private Entry Find(string key) =>
        _objects.TryGetValue(key, out var e) ? e : throw new ObjectNotFoundException(key);

    private static void Validate(string key)
    {
        if (string.IsNullOrEmpty(key) || key.StartsWith('/') || key.Split('/').Any(p => p is "" or "." or ".."))
        {
            throw new ArgumentException($"invalid object key: '{key}'", nameof(key));
        }
    }

    private sealed record Entry(byte[] Data, DateTimeOffset Modified, DateTimeOffset? RetainUntil);
}
