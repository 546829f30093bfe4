using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Offsite.Server.Hosting;
using Offsite.Server.Metrics;
using Offsite.Server.Notifications;
using Offsite.Server.Scheduling;

namespace Offsite.Server.Tests.Doubles;

/// <summary>A scheduler and runner (no HTTP) on a fake clock, with real local storage for the leases.</summary>
public sealed class SchedulerHarness : IAsyncDisposable
{
    public SchedulerHarness(FakeCatalog catalog, FakeTimeProvider clock, LocalLeaseStorage storage, WorkingExecutor executor,
        string host = "host-a", bool catchUp = false, TimeSpan? grace = null)
    {
        Clock = clock;
        Catalog = catalog;
        Executor = executor;
        Options = new ServerOptions
        {
            Token = "unused-in-scheduler-tests",
            Time = clock,
            Random = new Random(7),
            HostName = host,
            CatchUpMissedRuns = catchUp,
            ShutdownGrace = grace ?? TimeSpan.FromSeconds(30),
            LeaseTtl = TimeSpan.FromMinutes(2),
        };
        Metrics = new ServerMetrics();
        Notifications = new NotificationDispatcher(Metrics, Logs.CreateLogger("n"), TimeSpan.FromSeconds(5));
        Runner = new JobRunner(executor, storage, Metrics, Notifications, new RunHistory(100), Logs.CreateLogger("runs"), clock, host, 4242, Options.LeaseTtl);
        Scheduler = new JobScheduler(catalog, Runner, Metrics, Options, Logs.CreateLogger("scheduler"));
        Scheduler.WaitingForDue += (job, due) => Waiting.Writer.TryWrite((job, due));
    }

    public FakeTimeProvider Clock { get; }
    public FakeCatalog Catalog { get; }
    public WorkingExecutor Executor { get; }
    public ServerOptions Options { get; }
    public ServerMetrics Metrics { get; }
    public NotificationDispatcher Notifications { get; }
    public JobRunner Runner { get; }
    public JobScheduler Scheduler { get; }
    public ListLoggerFactory Logs { get; } = new();
    public Channel<(string Job, DateTimeOffset Due)> Waiting { get; } = Channel.CreateUnbounded<(string, DateTimeOffset)>();

    public Task StartAsync() => Scheduler.StartAsync(default);

    /// <summary>The next time a job loop armed its timer (then advancing the clock is safe).</summary>
    public async Task<(string Job, DateTimeOffset Due)> NextWaitAsync() => await Waiting.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public async Task<string> NextStartAsync() => await Executor.Started.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        if (!Scheduler.Stopping)
        {
            await Runner.CancelAllAsync();
            await Scheduler.StopAsync(default);
        }
        Scheduler.Dispose();
        Notifications.Dispose();
    }
}
