using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Offsite.Server.Abstractions;
using Offsite.Server.Metrics;
using Offsite.Server.Scheduling;

namespace Offsite.Server.Hosting;

/// <summary>
/// Keeps <c>offsite_repository_size_bytes</c> and <c>offsite_repository_snapshots</c> current: at start, every
/// <see cref="ServerOptions.RepositoryStatsEvery"/>, and after each successful run of a job on the repository. Scrapes
/// never wait on the repository.
/// </summary>
internal sealed partial class RepositoryStatsRefresher : BackgroundService
{
    private readonly IJobCatalog _catalog;
    private readonly IRepositoryQueries _queries;
    private readonly ServerMetrics _metrics;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0);

    public RepositoryStatsRefresher(IJobCatalog catalog, IRepositoryQueries queries, ServerMetrics metrics, ServerOptions options, JobRunner runner, ILogger logger)
    {
        _catalog = catalog;
        _queries = queries;
        _metrics = metrics;
        _options = options;
        _logger = logger;
        runner.RunEnded += (_, run, succeeded) =>
        {
            if (succeeded is not null)
            {
                _wake.Release();
            }
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                foreach (string repository in _catalog.Repositories)
                {
                    await RefreshAsync(repository, stoppingToken).ConfigureAwait(false);
                }
                using var period = new CancellationTokenSource(_options.RepositoryStatsEvery, _options.Time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(period.Token, stoppingToken);
                try
                {
                    await _wake.WaitAsync(either.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (period.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                {
                    // the period is over: refresh
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutdown
        }
    }

    private async Task RefreshAsync(string repository, CancellationToken cancellationToken)
    {
        try
        {
            _metrics.Repository(repository, await _queries.GetStatsAsync(repository, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStatsFailed(_logger, repository, e.Message.ReplaceLineEndings(" "));
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "repository {Repository}: size and snapshot count not refreshed: {Reason}")]
    private static partial void LogStatsFailed(ILogger logger, string repository, string reason);
}
