using System.Security.Cryptography;
using System.Text.Json;
using Offsite.Core.Storage;

namespace Offsite.Core.Locking;

/// <summary>How a <see cref="RepositoryLock"/> is taken and kept.</summary>
public sealed record RepositoryLockOptions
{
    /// <summary>How long the lock is valid after it is written or refreshed; a crashed holder blocks others at most this long.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Pause between creating the lock and reading it back to confirm it is still ours. It covers a contender that
    /// decided the previous (expired) lock was stale and whose DELETE was still in flight when we created ours; that
    /// contender's DELETE then removes our lock and exactly one of us finds its own id on reading back.
    /// </summary>
    public TimeSpan SettleDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Who holds the lock, as shown to contenders (the caller passes the machine name: Core reads no environment).</summary>
    public required string Host { get; init; }
    public required int Pid { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// An exclusive lock on a repository (the prune lock): the object <c>locks/&lt;name&gt;</c>, created with a conditional put
/// (<c>If-None-Match: *</c> on S3, link(2) locally), holding JSON {host, pid, created, expires, id}.
/// <list type="bullet">
/// <item>Taken when the object does not exist. If it exists and has not expired, <see cref="RepositoryLockedException"/>
/// names the holder and the expiry.</item>
/// <item>An expired lock (a crashed holder) is deleted, if it is still the same expired lock, and the conditional create is
/// tried again: of several contenders at most one create succeeds, and every winner reads its lock back after
/// <see cref="RepositoryLockOptions.SettleDelay"/> to make sure no late DELETE of a stale-lock contender removed it.</item>
/// <item><see cref="RefreshAsync"/> (or <see cref="StartKeepAlive"/>) rewrites it with a later expiry while held;
/// <see cref="ReleaseAsync"/> deletes it, only if it is still ours.</item>
/// </list>
/// Expiry is compared with the local clock: hosts sharing a repository need clocks within a small fraction of the TTL.
/// </summary>
public sealed class RepositoryLock : IAsyncDisposable
{
    private const int MaxAttempts = 5;

    private readonly IStorage _storage;
    private readonly RepositoryLockOptions _options;
    private readonly CancellationTokenSource _lost = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CancellationTokenSource? _keepAliveStop;
    private Task? _keepAlive;
    private bool _released;

    private RepositoryLock(IStorage storage, string name, LockInfo info, RepositoryLockOptions options)
    {
        _storage = storage;
        Name = name;
        Info = info;
        _options = options;
    }

    public string Name { get; }
    public string Key => KeyOf(Name);

    /// <summary>What the lock object currently says (the expiry moves forward with each refresh).</summary>
    public LockInfo Info { get; private set; }

    /// <summary>Cancelled when a refresh finds the lock gone or taken over; stop the protected work then.</summary>
    public CancellationToken LostToken => _lost.Token;

    /// <summary>The keep-alive's failure, if it stopped with one.</summary>
    public Exception? KeepAliveError { get; private set; }

    public static string KeyOf(string name) => "locks/" + name;

    /// <summary>Takes the lock or throws <see cref="RepositoryLockedException"/> naming the holder.</summary>
    public static async Task<RepositoryLock> AcquireAsync(IStorage storage, string name, RepositoryLockOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        ValidateName(name);
        if (options.Ttl <= TimeSpan.Zero)
        {
            throw new ArgumentException("the lock TTL must be positive", nameof(options));
        }
        string key = KeyOf(name);
        LockInfo? last = null;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DateTimeOffset now = options.Time.GetUtcNow();
            var mine = new LockInfo(options.Host, options.Pid, now, now + options.Ttl, NewId());
            if (await storage.TryCreateAsync(key, Serialize(mine), cancellationToken).ConfigureAwait(false))
            {
                if (options.SettleDelay > TimeSpan.Zero)
                {
                    await Task.Delay(options.SettleDelay, options.Time, cancellationToken).ConfigureAwait(false);
                }
                LockInfo? readBack = await ReadAsync(storage, key, options, cancellationToken).ConfigureAwait(false);
                if (readBack?.Id == mine.Id)
                {
                    return new RepositoryLock(storage, name, mine, options);
                }
                // A stale-lock contender's DELETE removed ours after we created it: whoever is there now won.
                if (readBack is not null && !readBack.IsExpired(options.Time.GetUtcNow()))
                {
                    throw new RepositoryLockedException(name, readBack);
                }
                last = readBack;
                continue;
            }

            LockInfo? current = await ReadAsync(storage, key, options, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                continue; // released between our create and our read: try again
            }
            last = current;
            if (!current.IsExpired(options.Time.GetUtcNow()))
            {
                throw new RepositoryLockedException(name, current);
            }
            // Expired: its holder crashed or hung. Delete it only if it is still that same expired lock (another
            // contender may already have replaced it), then race for the conditional create again.
            LockInfo? again = await ReadAsync(storage, key, options, cancellationToken).ConfigureAwait(false);
            if (again is not null && again.Id == current.Id)
            {
                await storage.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            }
        }
        throw last is not null
            ? new RepositoryLockedException(name, last)
            : new RepositoryLockedException($"could not take the lock {key}: it kept changing hands ({MaxAttempts} attempts)");
    }

    /// <summary>Rewrites the lock with expiry now + TTL, after checking it is still ours.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            LockInfo? current = await ReadAsync(_storage, Key, _options, cancellationToken).ConfigureAwait(false);
            if (current?.Id != Info.Id)
            {
                await _lost.CancelAsync().ConfigureAwait(false);
                throw new LockLostException(Name, current);
            }
            var renewed = Info with { Expires = _options.Time.GetUtcNow() + _options.Ttl };
            await _storage.PutAsync(Key, Serialize(renewed), cancellationToken).ConfigureAwait(false);
            Info = renewed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Refreshes the lock every <paramref name="interval"/> (default TTL/3) until released; a failure cancels <see cref="LostToken"/>.</summary>
    public void StartKeepAlive(TimeSpan? interval = null)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        if (_keepAlive is not null)
        {
            return;
        }
        TimeSpan every = interval ?? _options.Ttl / 3;
        _keepAliveStop = new CancellationTokenSource();
        CancellationToken stop = _keepAliveStop.Token;
        _keepAlive = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(every, _options.Time, stop).ConfigureAwait(false);
                    await RefreshAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is StorageException or JsonException)
            {
                KeepAliveError = e;
                await _lost.CancelAsync().ConfigureAwait(false);
            }
        }, CancellationToken.None);
    }

    /// <summary>Deletes the lock if it is still ours; returns false when it was already gone or someone else's.</summary>
    public async Task<bool> ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_released)
        {
            return false;
        }
        // Stop the keep-alive before marking the lock released: a refresh in flight must not meet a released lock.
        await StopKeepAliveAsync().ConfigureAwait(false);
        _released = true;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            LockInfo? current = await ReadAsync(_storage, Key, _options, cancellationToken).ConfigureAwait(false);
            if (current?.Id != Info.Id)
            {
                return false; // expired and taken over: never delete another holder's lock
            }
            await _storage.DeleteAsync(Key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases the lock, best effort: if that fails the lock simply expires.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
        }
        _lost.Dispose();
        _gate.Dispose();
        _keepAliveStop?.Dispose();
    }

    private async Task StopKeepAliveAsync()
    {
        if (_keepAlive is null || _keepAliveStop is null)
        {
            return;
        }
        await _keepAliveStop.CancelAsync().ConfigureAwait(false);
        await _keepAlive.ConfigureAwait(false);
    }

    /// <summary>The current lock, or null when none exists. An unreadable lock object counts as held since it was written, for one TTL.</summary>
    public static async Task<LockInfo?> ReadAsync(IStorage storage, string key, RepositoryLockOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        byte[] bytes;
        try
        {
            bytes = await storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
        try
        {
            if (JsonSerializer.Deserialize(bytes, LockJsonContext.Default.LockInfo) is { Id.Length: > 0 } info)
            {
                return info;
            }
        }
        catch (JsonException)
        {
        }
        // Not ours to understand (damaged, or written by something else): it is held from when it was written.
        ObjectInfo? head = await storage.HeadAsync(key, cancellationToken).ConfigureAwait(false);
        if (head is null)
        {
            return null;
        }
        return new LockInfo("unknown (unreadable lock object)", 0, head.LastModified, head.LastModified + options.Ttl, "unreadable:" + Convert.ToHexString(SHA256.HashData(bytes)));
    }

    private static byte[] Serialize(LockInfo info) => JsonSerializer.SerializeToUtf8Bytes(info, LockJsonContext.Default.LockInfo);

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"invalid lock name: '{name}'", nameof(name));
        }
    }
}
