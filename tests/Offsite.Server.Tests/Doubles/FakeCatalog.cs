using Offsite.Server.Abstractions;

namespace Offsite.Server.Tests.Doubles;

/// <summary>The application layer's config, in memory: <see cref="Next"/> is what the next reload reads.</summary>
public sealed class FakeCatalog : IJobCatalog
{
    private volatile IReadOnlyList<JobDefinition> _jobs;
    private volatile IReadOnlyList<string> _repositories;

    public FakeCatalog(params JobDefinition[] jobs)
    {
        _jobs = jobs;
        _repositories = jobs.Select(j => j.Repository).Distinct().ToList();
    }

    public IReadOnlyList<JobDefinition> Jobs => _jobs;
    public IReadOnlyList<string> Repositories => _repositories;

    /// <summary>What the next reload finds: jobs, or an error (a broken config file).</summary>
    public IReadOnlyList<JobDefinition>? Next { get; set; }
    public string? NextError { get; set; }
    public int Reloads;

    public Task<CatalogReloadResult> ReloadAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reloads);
        if (NextError is { } error)
        {
            return Task.FromResult(CatalogReloadResult.Failed(error));
        }
        if (Next is { } next)
        {
            _jobs = next;
            _repositories = next.Select(j => j.Repository).Distinct().ToList();
        }
        return Task.FromResult(CatalogReloadResult.Success);
    }
}
