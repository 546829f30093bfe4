namespace Offsite.Server.Abstractions;

/// <summary>
/// Runs one job once (source to snapshot), as <c>offsite run JOB</c> does. The server guarantees that at most one call
/// per job name is in progress on this host, and — through the job lease — on all hosts sharing the repository.
/// </summary>
public interface IJobExecutor
{
    /// <summary>
    /// Runs the job named <paramref name="jobName"/> (a name from <see cref="IJobCatalog.Jobs"/>).
    /// <list type="bullet">
    /// <item><paramref name="log"/> receives the run's human-readable progress lines (shown by <c>GET /api/runs/{id}</c>,
    /// the status page and notifications). Never write secrets there.</item>
    /// <item><paramref name="beforeCommitFence"/> MUST be awaited right before the snapshot object is written (after packs
    /// and index). It throws <see cref="JobLeaseLostException"/> when this host no longer holds the job's lease (it
    /// expired and another host took the job over); the executor must then write no snapshot and let the exception
    /// propagate (or return a failed result). It may be awaited more than once.</item>
    /// <item><paramref name="cancellationToken"/> is cancelled on timeout, on shutdown after the grace period, or when the
    /// lease is lost. The executor then stops without writing a snapshot, and throws
    /// <see cref="OperationCanceledException"/> (or returns a failed result).</item>
    /// </list>
    /// A failed backup is a returned result with <see cref="JobRunResult.Error"/> set (and the CLI exit code it would have
    /// had); any other exception is reported as an internal error (exit code 1).
    /// </summary>
    Task<JobRunResult> RunAsync(string jobName, IRunLog log, Func<CancellationToken, Task> beforeCommitFence, CancellationToken cancellationToken);
}

/// <summary>Where a running job writes its progress lines. Thread-safe.</summary>
public interface IRunLog
{
    /// <summary>Appends one line (the server timestamps it). Keep lines short; the server keeps a bounded tail.</summary>
    void Write(string line);
}

/// <summary>
/// What one run did. Byte figures are of this run only: <see cref="BytesRead"/> from the source,
/// <see cref="BytesAdded"/> new (not deduplicated) data before compression, <see cref="BytesStored"/> written to the
/// repository (compressed and encrypted).
/// </summary>
public sealed record JobRunResult
{
    public IReadOnlyList<string> SnapshotIds { get; init; } = [];
    public long BytesRead { get; init; }
    public long BytesAdded { get; init; }
    public long BytesStored { get; init; }
    public long Files { get; init; }
    public TimeSpan Duration { get; init; }

    /// <summary>One line saying why the run failed; null when it succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>The exit code <c>offsite run JOB</c> would return (README "Exit codes"); 0 on success.</summary>
    public int ExitCode { get; init; }

    public bool Succeeded => Error is null && ExitCode == 0;

    public static JobRunResult Failure(string error, int exitCode) => new() { Error = error, ExitCode = exitCode };
}
