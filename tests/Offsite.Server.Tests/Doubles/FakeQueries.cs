using System.Collections.Concurrent;
using Offsite.Server.Abstractions;

namespace Offsite.Server.Tests.Doubles;

/// <summary>Repository queries as the application layer would answer them, with every call recorded.</summary>
public sealed class FakeQueries : IRepositoryQueries
{
    public ConcurrentQueue<string> Calls { get; } = new();
    public List<SnapshotSummary> Snapshots { get; } = [];
    public bool RetentionNotSupported { get; set; }
    public RepositoryStats Stats { get; set; } = new(123_456_789, 42);

    public Task<IReadOnlyList<SnapshotSummary>> ListSnapshotsAsync(SnapshotFilter filter, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"snapshots repository={filter.Repository} job={filter.Job} host={filter.Host} tag={filter.Tag} limit={filter.Limit}");
        IReadOnlyList<SnapshotSummary> list = Snapshots
            .Where(s => (filter.Job is null || s.Job == filter.Job) && (filter.Host is null || s.Host == filter.Host) && (filter.Tag is null || s.Tags.Contains(filter.Tag)))
            .OrderByDescending(s => s.Time).Take(filter.Limit).ToList();
        return Task.FromResult(list);
    }

    public Task<CheckReport> CheckAsync(string repository, string? readDataSubset, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"check {repository} subset={readDataSubset}");
        return Task.FromResult(new CheckReport(true, [], readDataSubset is null ? 0 : 3, readDataSubset is null ? 0 : 3_000_000));
    }

    public Task<ForgetReport> ForgetAsync(string repository, string? job, bool dryRun, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"forget {repository} job={job} dry={dryRun}");
        if (RetentionNotSupported)
        {
            throw new RepositoryOperationNotSupportedException("the key is write-only: forget needs the identity");
        }
        return Task.FromResult(new ForgetReport(["aaaa1111"], 5, dryRun));
    }

    public Task<PruneReport> PruneAsync(string repository, bool dryRun, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"prune {repository} dry={dryRun}");
        if (RetentionNotSupported)
        {
            throw new RepositoryOperationNotSupportedException("the key is write-only: prune needs the identity");
        }
        return Task.FromResult(new PruneReport(2, 4096, dryRun));
    }

    public Task<RepositoryStats> GetStatsAsync(string repository, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"stats {repository}");
        return Task.FromResult(Stats);
    }
}
