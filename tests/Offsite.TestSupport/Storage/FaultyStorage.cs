using System.Runtime.CompilerServices;
using Offsite.Core.Storage;

namespace Offsite.TestSupport.Storage;

/// <summary>The storage operations a <see cref="FaultyStorage"/> can fail.</summary>
public enum StorageOp { Put, TryCreate, Get, GetRange, Head, List, Delete }

/// <summary>
/// Injects faults into chosen operations (Kopia's faulty storage): each rule matches an operation and a key prefix,
/// optionally skips the first N matches, then fails a number of times with the given exception, or runs a callback
/// (to interleave another actor at an exact instant). <see cref="Log"/> records every call for assertions.
/// </summary>
public sealed class FaultyStorage : DelegatingStorage
{
    private readonly List<Rule> _rules = new();
    private readonly Lock _lock = new();

    public FaultyStorage(IStorage inner) : base(inner)
    {
    }

    /// <summary>"op key" for every call made, in order.</summary>
    public List<string> Log { get; } = new();

    /// <summary>Fails the matching calls after <paramref name="after"/> successes, <paramref name="times"/> times (-1: always).</summary>
    public FaultyStorage Fail(StorageOp op, string keyPrefix, Func<Exception> error, int after = 0, int times = 1)
    {
        lock (_lock)
        {
            _rules.Add(new Rule(op, keyPrefix, after, times, error, null));
        }
        return this;
    }

    /// <summary>Runs <paramref name="action"/> before the matching call (after <paramref name="after"/> earlier matches), once.</summary>
    public FaultyStorage Before(StorageOp op, string keyPrefix, Func<Task> action, int after = 0)
    {
        lock (_lock)
        {
            _rules.Add(new Rule(op, keyPrefix, after, 1, null, action));
        }
        return this;
    }

    public override async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await HitAsync(StorageOp.Put, key).ConfigureAwait(false);
        await base.PutAsync(key, data, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await HitAsync(StorageOp.TryCreate, key).ConfigureAwait(false);
        return await base.TryCreateAsync(key, data, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<byte[]> GetAsync(string key, CancellationToken cancellationToken)
    {
        await HitAsync(StorageOp.Get, key).ConfigureAwait(false);
        return await base.GetAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        await HitAsync(StorageOp.GetRange, key).ConfigureAwait(false);
        return await base.GetRangeAsync(key, offset, length, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        await HitAsync(StorageOp.Head, key).ConfigureAwait(false);
        return await base.HeadAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await HitAsync(StorageOp.List, prefix).ConfigureAwait(false);
        await foreach (var o in base.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return o;
        }
    }

    public override async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await HitAsync(StorageOp.Delete, key).ConfigureAwait(false);
        await base.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
    }

    private async Task HitAsync(StorageOp op, string key)
    {
        Rule? fired = null;
        lock (_lock)
        {
            Log.Add($"{op} {key}");
            foreach (var rule in _rules)
            {
                if (rule.Op != op || !key.StartsWith(rule.KeyPrefix, StringComparison.Ordinal) || rule.Remaining == 0)
                {
                    continue;
                }
                if (rule.Skip > 0)
                {
                    rule.Skip--;
                    continue;
                }
                if (rule.Remaining > 0)
                {
                    rule.Remaining--;
                }
                fired = rule;
                break;
            }
        }
        if (fired?.Action is { } action)
        {
            await action().ConfigureAwait(false);
        }
        if (fired?.Error is { } error)
        {
            throw error();
        }
    }

    private sealed class Rule(StorageOp op, string keyPrefix, int skip, int remaining, Func<Exception>? error, Func<Task>? action)
    {
        public StorageOp Op { get; } = op;
        public string KeyPrefix { get; } = keyPrefix;
        public int Skip { get; set; } = skip;
        public int Remaining { get; set; } = remaining;
        public Func<Exception>? Error { get; } = error;
        public Func<Task>? Action { get; } = action;
    }
}
