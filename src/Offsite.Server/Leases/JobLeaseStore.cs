using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Offsite.Core.Storage;
using Offsite.Server.Abstractions;

namespace Offsite.Server.Leases;

/// <summary>
/// Job leases in a repository: a sequence of objects <c>locks/job-&lt;job&gt;/&lt;token&gt;</c>, one per acquisition, the highest
/// token being the current lease. Taking a lease is a conditional create (<see cref="IStorage.TryCreateAsync"/>,
/// If-None-Match on S3, link(2) locally) of the next token, allowed only when the current one is released or expired:
/// of several hosts racing for token N+1 exactly one create succeeds, so the token is a fencing token that only grows.
/// Only a winner deletes objects, and only tokens below its own (never the current lease), so no late DELETE can remove a
/// live lease (the race the prune lock covers with a settle delay cannot happen here).
/// </summary>
public sealed class JobLeaseStore
{
    public const string KeyPrefix = "locks/job-";
    private const int MaxAttempts = 5;

    private readonly IStorage _storage;
    private readonly JobLeaseOptions _options;

    public JobLeaseStore(IStorage storage, JobLeaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Ttl <= TimeSpan.Zero)
        {
            throw new ArgumentException("the lease TTL must be positive", nameof(options));
        }
        _storage = storage;
        _options = options;
    }

    internal IStorage Storage => _storage;
    internal JobLeaseOptions Options => _options;

    public static string PrefixOf(string job)
    {
        JobNames.Validate(job);
        return KeyPrefix + job + "/";
    }

    public static string KeyOf(string job, long token) => PrefixOf(job) + token.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>Takes the job's lease, or throws <see cref="JobLeaseHeldException"/> naming the holder.</summary>
    public async Task<JobLease> AcquireAsync(string job, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            (long top, LeaseRecord? current) = await ReadCurrentAsync(job, cancellationToken).ConfigureAwait(false);
            DateTimeOffset now = _options.Time.GetUtcNow();
            if (current is not null && !current.IsFree(now))
            {
                throw new JobLeaseHeldException($"job {job} is running elsewhere: lease {current.Token} {current.Describe()}");
            }
            long token = top + 1;
            var mine = new LeaseRecord(job, token, NewOwnerId(), _options.Host, _options.Pid, now, now + _options.Ttl, false, current?.LastSuccess);
            if (!await _storage.TryCreateAsync(KeyOf(job, token), Serialize(mine), cancellationToken).ConfigureAwait(false))
            {
                continue; // another host created this token first: look again
            }
            // A contender that listed long ago may have re-created a token that had been cleaned up: we only hold the
            // lease if ours is the highest token now.
            long highest = await HighestTokenAsync(job, cancellationToken).ConfigureAwait(false);
            if (highest != token)
            {
                await _storage.DeleteAsync(KeyOf(job, token), cancellationToken).ConfigureAwait(false);
                continue;
            }
            await DeleteBelowAsync(job, token, cancellationToken).ConfigureAwait(false);
            return new JobLease(this, mine);
        }
        throw new JobLeaseHeldException($"job {job}: the lease kept changing hands ({MaxAttempts} attempts)");
    }

    /// <summary>The current lease record (highest token), or null when the job never ran with a lease.</summary>
    public async Task<LeaseRecord?> ReadAsync(string job, CancellationToken cancellationToken)
    {
        (_, LeaseRecord? current) = await ReadCurrentAsync(job, cancellationToken).ConfigureAwait(false);
        return current;
    }

    internal async Task<long> HighestTokenAsync(string job, CancellationToken cancellationToken)
    {
        long highest = 0;
        string prefix = PrefixOf(job);
        await foreach (ObjectInfo info in _storage.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (TryParseToken(info.Key.AsSpan(prefix.Length), out long token) && token > highest)
            {
                highest = token;
            }
        }
        return highest;
    }

    internal async Task<LeaseRecord?> ReadTokenAsync(string job, long token, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await _storage.GetAsync(KeyOf(job, token), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
        try
        {
            if (JsonSerializer.Deserialize(bytes, LeaseJsonContext.Default.LeaseRecord) is { Owner.Length: > 0 } record)
            {
                return record;
            }
        }
        catch (JsonException)
        {
        }
        // Unreadable (damaged, or written by something else): held for one TTL from when it was written, like the prune lock.
        ObjectInfo? head = await _storage.HeadAsync(KeyOf(job, token), cancellationToken).ConfigureAwait(false);
        DateTimeOffset written = head?.LastModified ?? _options.Time.GetUtcNow();
        return new LeaseRecord(job, token, "unreadable", "unknown (unreadable lease object)", 0, written, written + _options.Ttl, false, null);
    }

    internal async Task WriteAsync(LeaseRecord record, CancellationToken cancellationToken) =>
        await _storage.PutAsync(KeyOf(record.Job, record.Token), Serialize(record), cancellationToken).ConfigureAwait(false);

    private async Task<(long Top, LeaseRecord? Current)> ReadCurrentAsync(string job, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            long top = await HighestTokenAsync(job, cancellationToken).ConfigureAwait(false);
            if (top == 0)
            {
                return (0, null);
            }
            LeaseRecord? record = await ReadTokenAsync(job, top, cancellationToken).ConfigureAwait(false);
            if (record is not null)
            {
                return (top, record);
            }
            // Deleted between list and read (a contender that lost re-checking): list again.
        }
        throw new JobLeaseHeldException($"job {job}: the lease kept changing hands ({MaxAttempts} attempts)");
    }

    private async Task DeleteBelowAsync(string job, long token, CancellationToken cancellationToken)
    {
        string prefix = PrefixOf(job);
        var old = new List<string>();
        await foreach (ObjectInfo info in _storage.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (TryParseToken(info.Key.AsSpan(prefix.Length), out long t) && t < token)
            {
                old.Add(info.Key);
            }
        }
        foreach (string key in old)
        {
            await _storage.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool TryParseToken(ReadOnlySpan<char> name, out long token) =>
        long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out token) && token > 0;

    private static byte[] Serialize(LeaseRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, LeaseJsonContext.Default.LeaseRecord);

    private static string NewOwnerId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
