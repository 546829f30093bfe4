using Offsite.Core.Storage;
using Offsite.Server.Abstractions;

namespace Offsite.Server.Leases;

/// <summary>
/// A held job lease. While a run goes on, <see cref="StartKeepAlive"/> renews it every TTL/3; a renewal that finds the
/// lease gone or superseded cancels <see cref="LostToken"/>. <see cref="VerifyAsync"/> is the fence before a snapshot is
/// written. <see cref="ReleaseAsync"/> marks it released (keeping the token sequence and the last success time).
/// </summary>
public sealed class JobLease : IAsyncDisposable
{
    private readonly JobLeaseStore _store;
    private readonly CancellationTokenSource _lost = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CancellationTokenSource? _keepAliveStop;
    private Task? _keepAlive;
    private bool _released;

    internal JobLease(JobLeaseStore store, LeaseRecord record)
    {
        _store = store;
        Record = record;
    }

    public LeaseRecord Record { get; private set; }
    public string Job => Record.Job;

    /// <summary>The fencing token: grows with every acquisition of this job's lease, on any host.</summary>
    public long Token => Record.Token;

    public CancellationToken LostToken => _lost.Token;

    /// <summary>Why the lease was lost, once it was.</summary>
    public string? LostReason { get; private set; }

    /// <summary>
    /// Fence: throws <see cref="JobLeaseLostException"/> unless this lease is still the job's highest token, unreleased
    /// and unexpired by the local clock. Call right before writing a snapshot.
    /// </summary>
    public async Task VerifyAsync(CancellationToken cancellationToken)
    {
        if (LostReason is not null)
        {
            throw new JobLeaseLostException(LostReason);
        }
        long highest = await _store.HighestTokenAsync(Job, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _store.Options.Time.GetUtcNow();
        string? problem = highest != Token ? $"lease {Token} of job {Job} was taken over (lease {highest} exists)"
            : Record.Expires <= now ? $"lease {Token} of job {Job} expired at {Record.Expires:u} before it was renewed"
            : null;
        if (problem is not null)
        {
            await MarkLostAsync(problem).ConfigureAwait(false);
            throw new JobLeaseLostException(problem);
        }
    }

    /// <summary>Extends the expiry to now + TTL after checking the lease is still ours.</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await VerifyAsync(cancellationToken).ConfigureAwait(false);
            LeaseRecord? stored = await _store.ReadTokenAsync(Job, Token, cancellationToken).ConfigureAwait(false);
            if (stored?.Owner != Record.Owner)
            {
                string problem = $"lease {Token} of job {Job} was replaced";
                await MarkLostAsync(problem).ConfigureAwait(false);
                throw new JobLeaseLostException(problem);
            }
            LeaseRecord renewed = Record with { Expires = _store.Options.Time.GetUtcNow() + _store.Options.Ttl };
            await _store.WriteAsync(renewed, cancellationToken).ConfigureAwait(false);
            Record = renewed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Renews every <see cref="JobLeaseOptions.RenewEvery"/> until released; failure to renew cancels <see cref="LostToken"/>.</summary>
    public void StartKeepAlive()
    {
        if (_keepAlive is not null)
        {
            return;
        }
        _keepAliveStop = new CancellationTokenSource();
        CancellationToken stop = _keepAliveStop.Token;
        TimeSpan every = _store.Options.RenewEvery;
        TimeProvider time = _store.Options.Time;
        _keepAlive = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(every, time, stop).ConfigureAwait(false);
                    await RenewAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // released
            }
            catch (JobLeaseLostException)
            {
                // LostToken is cancelled already
            }
            catch (StorageException e)
            {
                // One failed renewal is not yet a lost lease, but we cannot tell how long storage stays away: stop the
                // run rather than risk writing after expiry.
                await MarkLostAsync($"lease {Token} of job {Job} could not be renewed: {e.Message}").ConfigureAwait(false);
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// Marks the lease released (expiry now), recording <paramref name="succeededAt"/> as the job's last success.
    /// Returns false when the lease was no longer ours (nothing is written then).
    /// </summary>
    public async Task<bool> ReleaseAsync(DateTimeOffset? succeededAt, CancellationToken cancellationToken)
    {
        if (_released)
        {
            return false;
        }
        _released = true;
        await StopKeepAliveAsync().ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long highest = await _store.HighestTokenAsync(Job, cancellationToken).ConfigureAwait(false);
            LeaseRecord? stored = await _store.ReadTokenAsync(Job, Token, cancellationToken).ConfigureAwait(false);
            if (highest != Token || stored?.Owner != Record.Owner)
            {
                return false;
            }
            LeaseRecord released = Record with
            {
                Released = true,
                Expires = _store.Options.Time.GetUtcNow(),
                LastSuccess = succeededAt ?? Record.LastSuccess,
            };
            await _store.WriteAsync(released, cancellationToken).ConfigureAwait(false);
            Record = released;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases without recording a success, best effort: if storage fails, the lease expires after its TTL.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ReleaseAsync(null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            // It expires on its own.
        }
        _lost.Dispose();
        _gate.Dispose();
        _keepAliveStop?.Dispose();
    }

    private async Task MarkLostAsync(string reason)
    {
        LostReason ??= reason;
        await _lost.CancelAsync().ConfigureAwait(false);
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
}
