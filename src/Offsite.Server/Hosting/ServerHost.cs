using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Offsite.Server.Abstractions;
using Offsite.Server.Api;
using Offsite.Server.Metrics;
using Offsite.Server.Notifications;
using Offsite.Server.Scheduling;
using Offsite.Server.StatusPage;

namespace Offsite.Server.Hosting;

/// <summary>
/// <c>offsite serve</c>: the generic host with Kestrel (HTTP API, /metrics, status page), the scheduler, and systemd
/// integration (Type=notify: READY=1 once listening, STOPPING=1 on SIGTERM; a no-op outside systemd).
/// </summary>
public static class ServerHost
{
    /// <summary>
    /// Runs until SIGTERM/SIGINT (or <paramref name="cancellationToken"/>), then drains running jobs within
    /// <see cref="ServerOptions.ShutdownGrace"/> and returns normally: the CLI exits 0. Throws <see cref="FormatException"/>
    /// for an invalid job definition and <see cref="IOException"/> when the address is in use (exit code 2 and 6).
    /// </summary>
    public static async Task RunAsync(ServerOptions options, IJobCatalog catalog, IJobExecutor executor, IRepositoryQueries queries,
        ILeaseStorageProvider leases, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        RunningServer server = await StartAsync(options, catalog, executor, queries, leases, loggerFactory, cancellationToken).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Builds and starts the server; the caller stops and disposes it.</summary>
    public static async Task<RunningServer> StartAsync(ServerOptions options, IJobCatalog catalog, IJobExecutor executor, IRepositoryQueries queries,
        ILeaseStorageProvider leases, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(leases);
        foreach (JobDefinition job in catalog.Jobs)
        {
            ScheduledJob.Compile(job); // one clear line for a bad schedule before anything starts
        }
        var auth = new TokenAuth(options.Token);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "offsite-serve",
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        ConfigureLogging(builder, options, loggerFactory);
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownGrace + TimeSpan.FromSeconds(30));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = JsonBody.MaxBytes;
            kestrel.Listen(options.BindAddress, options.Port, listen =>
            {
                if (options.TlsCertificatePath is not null || options.TlsKeyPath is not null)
                {
                    listen.UseHttps(X509Certificate2.CreateFromPemFile(
                        options.TlsCertificatePath ?? throw new ArgumentException("a TLS key needs a certificate", nameof(options)),
                        options.TlsKeyPath));
                }
            });
        });

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(catalog);
        builder.Services.AddSingleton(queries);
        builder.Services.AddSingleton(new ServerMetrics());
        builder.Services.AddSingleton(sp => new NotificationDispatcher(sp.GetRequiredService<ServerMetrics>(), Logger(sp, "Offsite.Server.Notifications"), options.NotificationTimeout));
        builder.Services.AddSingleton(sp => new JobRunner(executor, leases, sp.GetRequiredService<ServerMetrics>(), sp.GetRequiredService<NotificationDispatcher>(),
            new RunHistory(options.RunHistory), Logger(sp, "Offsite.Server.Runs"), options.Time, options.HostName, options.ProcessId, options.LeaseTtl));
        builder.Services.AddSingleton(sp => new JobScheduler(catalog, sp.GetRequiredService<JobRunner>(), sp.GetRequiredService<ServerMetrics>(), options, Logger(sp, "Offsite.Server.Scheduler")));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobScheduler>());
        builder.Services.AddHostedService(sp => new RepositoryStatsRefresher(catalog, queries, sp.GetRequiredService<ServerMetrics>(), options, sp.GetRequiredService<JobRunner>(), Logger(sp, "Offsite.Server.Metrics")));
        if (options.ReloadOnSighup)
        {
            builder.Services.AddHostedService(sp => new SighupReloader(sp.GetRequiredService<JobScheduler>()));
        }

        WebApplication app = builder.Build();
        var components = new ServerComponents(options, catalog, queries, app.Services.GetRequiredService<JobScheduler>(),
            app.Services.GetRequiredService<JobRunner>(), app.Services.GetRequiredService<ServerMetrics>(), auth);
        ServerPipeline.Use(app, components);
        ApiEndpoints.Map(app, components);
        StatusPageEndpoints.Map(app, components);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new RunningServer(app);
    }

    private static void ConfigureLogging(WebApplicationBuilder builder, ServerOptions options, ILoggerFactory? loggerFactory)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        if (loggerFactory is not null)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
            return;
        }
        if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
            });
        }
    }

    private static ILogger Logger(IServiceProvider sp, string category) => sp.GetRequiredService<ILoggerFactory>().CreateLogger(category);
}
