using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Offsite.Server.Metrics;
using Offsite.Server.Scheduling;

namespace Offsite.Server.Hosting;

/// <summary>A started server: its address, its parts (for tests and the CLI), and how to stop it.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    internal RunningServer(WebApplication app)
    {
        _app = app;
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>Where the API listens, e.g. <c>http://127.0.0.1:8470/</c>.</summary>
    public Uri BaseAddress { get; }

    internal IServiceProvider Services => _app.Services;

    public JobScheduler Scheduler => _app.Services.GetRequiredService<JobScheduler>();
    public JobRunner Runner => _app.Services.GetRequiredService<JobRunner>();
    public ServerMetrics Metrics => _app.Services.GetRequiredService<ServerMetrics>();

    /// <summary>Stops as SIGTERM does: no new runs, the grace period for running ones, then cancellation.</summary>
    public Task StopAsync() => _app.StopAsync(CancellationToken.None);

    /// <summary>Completes when the host stopped (SIGTERM, SIGINT, <see cref="StopAsync"/>, or <paramref name="cancellationToken"/>, which stops it).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
