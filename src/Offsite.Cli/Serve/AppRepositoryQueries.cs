using Offsite.App.Config;
using Offsite.App.Jobs;
using Offsite.App.Repositories;
using Offsite.App.Retention;
using Offsite.Core.Check;
using Offsite.Core.Prune;
using Offsite.Core.Retention;
using Offsite.Core.Storage;
using Offsite.Server.Abstractions;

namespace Offsite.Cli.Serve;

/// <summary>The server's read and maintenance calls (snapshots, check, forget, prune, stats), through the application layer.</summary>
public sealed class AppRepositoryQueries(ConfigJobCatalog catalog) : IRepositoryQueries, ILeaseStorageProvider
{
    private readonly RepositoryOpener _opener = new(CliEnvironment.Runtime, null);
    private readonly Dictionary<string, IStorage> _leaseStorages = new(StringComparer.Ordinal);

    private RepositorySpec Spec(string repository) =>
        ConfigResolver.Spec(ConfigResolver.Repository(catalog.Config, repository), CliEnvironment.DefaultCacheDirectory());

    public async Task<IReadOnlyList<SnapshotSummary>> ListSnapshotsAsync(Server.Abstractions.SnapshotFilter filter, CancellationToken cancellationToken)
    {
        var result = new List<SnapshotSummary>();
        foreach (string name in filter.Repository is { } one ? [one] : catalog.Config.Repositories.Keys.ToList())
        {
            await using var open = await _opener.OpenAsync(Spec(name), cancellationToken).ConfigureAwait(false);
            foreach (var s in await open.Repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false))
            {
                string? job = s.Tags.FirstOrDefault(t => t.StartsWith(JobRunner.JobTagPrefix, StringComparison.Ordinal))?[JobRunner.JobTagPrefix.Length..];
                if ((filter.Job is null || filter.Job == job) && (filter.Host is null || filter.Host == s.Host) && (filter.Tag is null || s.Tags.Contains(filter.Tag)))
                {
                    result.Add(new SnapshotSummary(s.Id, name, job, s.Time, s.Host, s.Source, s.Tags, s.Stats.Bytes));
                }
            }
        }
        return result.OrderByDescending(s => s.Time).Take(filter.Limit).ToList();
    }

    public async Task<Server.Abstractions.CheckReport> CheckAsync(string repository, string? readDataSubset, CancellationToken cancellationToken)
    {
        await using var open = await _opener.OpenAsync(Spec(repository), cancellationToken).ConfigureAwait(false);
        var report = await new Checker(open.Repository).RunAsync(readDataSubset is not null, cancellationToken).ConfigureAwait(false);
        return new Server.Abstractions.CheckReport(report.Errors.Count == 0, report.Errors, report.Packs, report.BlobsRead);
    }

    public async Task<ForgetReport> ForgetAsync(string repository, string? job, bool dryRun, CancellationToken cancellationToken)
    {
        var jobs = catalog.Config.Jobs.Where(j => (job is null || j.Key == job) && ConfigResolver.RepositoryNameOf(catalog.Config, j.Value) == repository && j.Value.Retention is not null).ToList();
        if (jobs.Count == 0)
        {
            throw new RepositoryOperationNotSupportedException(job is null ? $"no job of repository {repository} has a retention: section" : $"job {job} has no retention: section");
        }
        await using var open = await _opener.OpenAsync(Spec(repository), cancellationToken).ConfigureAwait(false);
        var removed = new List<string>();
        int kept = 0;
        foreach (var (name, section) in jobs)
        {
            var filter = new Core.Snapshots.SnapshotFinder.Filter(Tags: [JobRunner.JobTagPrefix + name]);
            var result = await RetentionService.ForgetAsync(open.Repository, section.Retention!.ToPolicy(), SnapshotGrouping.Default, filter, dryRun, cancellationToken).ConfigureAwait(false);
            foreach (var d in result.Groups.SelectMany(g => g.Decisions))
            {
                if (d.Reasons.Count == 0) removed.Add(d.Snapshot.Id);
                else kept++;
            }
        }
        return new ForgetReport(removed, kept, dryRun);
    }

    public async Task<Server.Abstractions.PruneReport> PruneAsync(string repository, bool dryRun, CancellationToken cancellationToken)
    {
        await using var open = await _opener.OpenAsync(Spec(repository), cancellationToken).ConfigureAwait(false);
        var options = new PruneOptions { DryRun = dryRun, Time = CliEnvironment.Runtime.Clock };
        var report = await RetentionService.PruneAsync(open.Repository, options, Environment.ProcessId, cancellationToken).ConfigureAwait(false);
        return new Server.Abstractions.PruneReport(report.DeletedPacks, report.DeletedBytes, dryRun);
    }

    public async Task<RepositoryStats> GetStatsAsync(string repository, CancellationToken cancellationToken)
    {
        await using var open = await _opener.OpenAsync(Spec(repository), cancellationToken).ConfigureAwait(false);
        long size = 0;
        await foreach (var o in open.Storage.ListAsync("", cancellationToken).ConfigureAwait(false))
        {
            size += o.Size;
        }
        var snapshots = await open.Repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        return new RepositoryStats(size, snapshots.Count);
    }

    /// <summary>Leases live in the repository's storage; one connection per repository for the server's lifetime.</summary>
    public IStorage GetStorage(string repository)
    {
        lock (_leaseStorages)
        {
            if (!_leaseStorages.TryGetValue(repository, out var storage))
            {
                storage = _opener.OpenStorage(Spec(repository));
                _leaseStorages[repository] = storage;
            }
            return storage;
        }
    }
}
