using System.Collections.Concurrent;
using Offsite.Server.Abstractions;

namespace Offsite.Server.Tests.Doubles;

/// <summary>
/// A test double of the application layer's job runner that behaves like one: it logs, "reads" for
/// <see cref="WorkTime"/> (a real delay on the token, or until <see cref="Gate"/> opens), awaits the fence, then
/// "writes the snapshot" by recording it in <see cref="Snapshots"/> — exactly the point a real backup commits.
/// It counts how many runs are in progress at once (across every executor sharing <see cref="Concurrency"/>).
/// </summary>
public sealed class WorkingExecutor : IJobExecutor
{
    public WorkingExecutor(ConcurrencyProbe? concurrency = null, TimeProvider? time = null)
    {
        Concurrency = concurrency ?? new ConcurrencyProbe();
        _time = time ?? TimeProvider.System;
    }

    private readonly TimeProvider _time;

    public ConcurrencyProbe Concurrency { get; }
    public string Host { get; init; } = "test";
    public TimeSpan WorkTime { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>When set, a run waits for it (instead of <see cref="WorkTime"/>) before committing.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Make runs fail with this error and exit code.</summary>
    public (string Error, int ExitCode)? Fail { get; set; }

    public ConcurrentQueue<string> Snapshots { get; } = new();
    public ConcurrentQueue<string> Cancelled { get; } = new();

    /// <summary>Completes with the job name each time a run starts.</summary>
    public System.Threading.Channels.Channel<string> Started { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

    public int Runs => _runs;
    private int _runs;

    public async Task<JobRunResult> RunAsync(string jobName, IRunLog log, Func<CancellationToken, Task> beforeCommitFence, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _runs);
        DateTimeOffset start = _time.GetUtcNow();
        using IDisposable _ = Concurrency.Enter(jobName);
        Started.Writer.TryWrite(jobName);
        log.Write($"reading source of {jobName}");
        try
        {
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            else
            {
                await Task.Delay(WorkTime, cancellationToken);
            }
            if (Fail is { } fail)
            {
                log.Write("source failed");
                return JobRunResult.Failure(fail.Error, fail.ExitCode);
            }
            log.Write("packs and index written");
            await beforeCommitFence(cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            string id = $"{jobName}@{Host}#{Guid.NewGuid():N}";
            Snapshots.Enqueue(id);
            log.Write($"snapshot {id} saved");
            return new JobRunResult
            {
                SnapshotIds = [id],
                BytesRead = 1000,
                BytesAdded = 100,
                BytesStored = 60,
                Files = 7,
                Duration = _time.GetUtcNow() - start,
            };
        }
        catch (OperationCanceledException)
        {
            Cancelled.Enqueue(jobName);
            log.Write("cancelled: nothing committed");
            throw;
        }
    }
}

/// <summary>Counts runs of each job in progress at once; <see cref="Max"/> is the highest seen.</summary>
public sealed class ConcurrencyProbe
{
    private readonly ConcurrentDictionary<string, int> _now = new();
    private int _max;

    public int Max => Volatile.Read(ref _max);

    public IDisposable Enter(string job)
    {
        int n = _now.AddOrUpdate(job, 1, (_, v) => v + 1);
        int seen;
        while ((seen = Volatile.Read(ref _max)) < n && Interlocked.CompareExchange(ref _max, n, seen) != seen)
        {
        }
        return new Exit(() => _now.AddOrUpdate(job, 0, (_, v) => v - 1));
    }

    private sealed class Exit(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
