namespace Offsite.Server.Abstractions;

/// <summary>
/// Read and maintenance operations on the configured repositories, for the HTTP API and metrics. Repository names are
/// those of <see cref="IJobCatalog.Repositories"/>; the server checks a name is known before calling.
/// Errors: <see cref="RepositoryOperationNotSupportedException"/> becomes HTTP 409 (e.g. forget/prune without a retention
/// policy, or a write-only key that cannot read); any other exception becomes 500 with its message (one line, no secrets).
/// </summary>
public interface IRepositoryQueries
{
    /// <summary>Snapshots matching the filter, newest first, at most <see cref="SnapshotFilter.Limit"/>.</summary>
    Task<IReadOnlyList<SnapshotSummary>> ListSnapshotsAsync(SnapshotFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// Checks a repository's structure and, when <paramref name="readDataSubset"/> is given, re-reads that part of the
    /// packs (restic syntax: <c>"10%"</c>, <c>"1/5"</c>; <c>"100%"</c> reads all). Problems are returned, not thrown.
    /// </summary>
    Task<CheckReport> CheckAsync(string repository, string? readDataSubset, CancellationToken cancellationToken);

    /// <summary>Applies the retention policy (removes snapshots it does not keep). <paramref name="dryRun"/> only reports.</summary>
    Task<ForgetReport> ForgetAsync(string repository, string? job, bool dryRun, CancellationToken cancellationToken);

    /// <summary>Removes data no snapshot references (takes the repository's prune lock).</summary>
    Task<PruneReport> PruneAsync(string repository, bool dryRun, CancellationToken cancellationToken);

    /// <summary>Total stored size and snapshot count, for <c>/metrics</c>. Called at most every few minutes per repository.</summary>
    Task<RepositoryStats> GetStatsAsync(string repository, CancellationToken cancellationToken);
}

/// <summary>Filters for <see cref="IRepositoryQueries.ListSnapshotsAsync"/>; null means "any".</summary>
public sealed record SnapshotFilter
{
    public string? Repository { get; init; }
    /// <summary>Snapshots written by this job (the adapter maps it to the job's source name).</summary>
    public string? Job { get; init; }
    public string? Host { get; init; }
    public string? Tag { get; init; }
    public int Limit { get; init; } = 100;
}

public sealed record SnapshotSummary(string Id, string Repository, string? Job, DateTimeOffset Time, string Host, string Source, IReadOnlyList<string> Tags, long Size);

public sealed record CheckReport(bool Ok, IReadOnlyList<string> Errors, long PacksRead, long BytesRead);

public sealed record ForgetReport(IReadOnlyList<string> Removed, int Kept, bool DryRun);

public sealed record PruneReport(long PacksDeleted, long BytesFreed, bool DryRun);

public sealed record RepositoryStats(long SizeBytes, long SnapshotCount);

/// <summary>The operation does not apply to this repository now (no retention policy yet, write-only key…): HTTP 409.</summary>
public sealed class RepositoryOperationNotSupportedException : Exception
{
    public RepositoryOperationNotSupportedException(string message) : base(message) { }
    public RepositoryOperationNotSupportedException(string message, Exception inner) : base(message, inner) { }
    public RepositoryOperationNotSupportedException() { }
}
