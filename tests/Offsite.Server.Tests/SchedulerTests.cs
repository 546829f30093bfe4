using Microsoft.Extensions.Time.Testing;
using Offsite.Server.Abstractions;
using Offsite.Server.Leases;
using Offsite.Server.Scheduling;
using Offsite.Server.Tests.Doubles;
using static Offsite.Server.Tests.Doubles.Jobs;

namespace Offsite.Server.Tests;

/// <summary>The scheduler on a fake clock: time only moves when a test advances it, and never by sleeping.</summary>
public sealed class SchedulerTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly LocalLeaseStorage _storage = new();
    private readonly FakeTimeProvider _clock = new(Noon);

    private SchedulerHarness Harness(FakeCatalog catalog, WorkingExecutor? executor = null, bool catchUp = false, TimeSpan? grace = null, string host = "host-a", FakeTimeProvider? clock = null) =>
        new(catalog, clock ?? _clock, _storage, executor ?? new WorkingExecutor(time: clock ?? _clock), host, catchUp, grace);

    [Fact]
    public async Task Runs_at_each_cron_time_including_seconds()
    {
        await using var h = Harness(new FakeCatalog(Job("j", "*/10 * * * * *")));
        await h.StartAsync();
        Assert.Equal(("j", Noon.AddSeconds(10)), await h.NextWaitAsync());
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("j", await h.NextStartAsync());
        Assert.Equal(("j", Noon.AddSeconds(20)), await h.NextWaitAsync()); // armed again once the run ended
        _clock.Advance(TimeSpan.FromSeconds(10));
        await h.NextStartAsync();
        await h.NextWaitAsync();
        Assert.Equal(2, h.Executor.Runs);
        Assert.Equal(2, h.Executor.Snapshots.Count);
        RunRecord last = h.Scheduler.Jobs["j"].State.LastRun!;
        Assert.Equal(RunStatus.Succeeded, last.Status);
        Assert.Equal(RunTrigger.Schedule, last.Trigger);
        Assert.Equal(Noon.AddSeconds(20), h.Scheduler.Jobs["j"].State.LastSuccess);
    }

    [Fact]
    public async Task A_run_longer_than_the_interval_never_overlaps_and_skips_the_missed_times()
    {
        var executor = new WorkingExecutor(time: _clock) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var h = Harness(new FakeCatalog(Job("j", "*/10 * * * * *")), executor);
        await h.StartAsync();
        await h.NextWaitAsync();
        _clock.Advance(TimeSpan.FromSeconds(10));
        await h.NextStartAsync();
        for (int i = 0; i < 6; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(10)); // six more scheduled times pass while it runs
        }
        StartOutcome manual = await h.Scheduler.RunNowAsync("j", default);
        Assert.Equal(StartOutcomeKind.RunningHere, manual.Kind);
        Assert.Equal(1, executor.Runs);

        executor.Gate.SetResult();
        (_, DateTimeOffset due) = await h.NextWaitAsync();
        Assert.Equal(Noon.AddSeconds(80), due); // the next time after the run ended, not a backlog
        Assert.Equal(1, executor.Runs);
        Assert.Equal(1, executor.Concurrency.Max);
    }

    [Fact]
    public async Task One_catch_up_run_at_start_when_a_scheduled_time_passed_since_the_last_success()
    {
        await SeedLastSuccessAsync("nightly", Noon.AddDays(-3)); // three nightly runs missed
        await using var h = Harness(new FakeCatalog(Job("nightly", "@daily")), catchUp: true);
        await h.StartAsync();
        Assert.Equal("nightly", await h.NextStartAsync());
        (_, DateTimeOffset due) = await h.NextWaitAsync();
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero), due);
        Assert.Equal(1, h.Executor.Runs);
        Assert.Equal(RunTrigger.CatchUp, h.Scheduler.Jobs["nightly"].State.LastRun!.Trigger);
    }

    [Fact]
    public async Task No_catch_up_when_the_last_success_is_after_the_last_scheduled_time()
    {
        await SeedLastSuccessAsync("nightly", Noon.AddHours(-11)); // 01:00 today, after today's 00:00
        await using var h = Harness(new FakeCatalog(Job("nightly", "@daily")), catchUp: true);
        await h.StartAsync();
        await h.NextWaitAsync();
        Assert.Equal(0, h.Executor.Runs);
        Assert.Equal(Noon.AddHours(-11), h.Scheduler.Jobs["nightly"].State.LastSuccess);
    }

    [Fact]
    public async Task A_run_over_its_timeout_is_cancelled_and_writes_no_snapshot()
    {
        var executor = new WorkingExecutor(time: _clock) { Gate = new TaskCompletionSource() };
        await using var h = Harness(new FakeCatalog(Job("slow", timeout: TimeSpan.FromSeconds(30))), executor);
        await h.StartAsync();
        StartOutcome started = await h.Scheduler.RunNowAsync("slow", default);
        await h.NextStartAsync();
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(RunStatus.Running, started.Run!.Status);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await started.Completion!.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RunStatus.TimedOut, started.Run.Status);
        Assert.Equal(130, started.Run.ExitCode);
        Assert.Contains("timed out after 00:00:30", started.Run.Error, StringComparison.Ordinal);
        Assert.Empty(executor.Snapshots);
        Assert.Single(executor.Cancelled);
        // The lease was released: the job can run again at once.
        executor.Gate = null;
        StartOutcome again = await h.Scheduler.RunNowAsync("slow", default);
        await again.Completion!.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RunStatus.Succeeded, again.Run!.Status);
        Assert.Equal(again.Run.LeaseToken, started.Run.LeaseToken + 1);
    }

    [Fact]
    public async Task Jitter_delays_each_run_by_a_random_amount_below_the_limit()
    {
        await using var h = Harness(new FakeCatalog(Job("j", "@hourly", jitter: TimeSpan.FromMinutes(10))));
        await h.StartAsync();
        (_, DateTimeOffset due) = await h.NextWaitAsync();
        Assert.InRange(due, Noon.AddHours(1).AddTicks(1), Noon.AddHours(1).AddMinutes(10));
        _clock.Advance(due - _clock.GetUtcNow());
        await h.NextStartAsync();
        (_, DateTimeOffset second) = await h.NextWaitAsync();
        Assert.InRange(second, Noon.AddHours(2), Noon.AddHours(2).AddMinutes(10));
        Assert.NotEqual(due - Noon.AddHours(1), second - Noon.AddHours(2));
    }

    [Fact]
    public async Task Next_run_follows_the_job_time_zone()
    {
        await using var h = Harness(new FakeCatalog(Job("berlin", "0 0 2 * * *", zone: "Europe/Berlin")));
        await h.StartAsync();
        (_, DateTimeOffset due) = await h.NextWaitAsync();
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero), due.ToUniversalTime());
    }

    [Fact]
    public async Task A_paused_job_skips_its_times_until_resumed()
    {
        await using var h = Harness(new FakeCatalog(Job("j", "0 * * * * *")));
        await h.StartAsync();
        await h.NextWaitAsync();
        Assert.True(h.Scheduler.SetPaused("j", true));
        _clock.Advance(TimeSpan.FromMinutes(1));
        await h.NextWaitAsync(); // skipped, armed for the next minute
        Assert.Equal(0, h.Executor.Runs);
        Assert.True(h.Scheduler.SetPaused("j", false));
        _clock.Advance(TimeSpan.FromMinutes(1));
        await h.NextStartAsync();
        Assert.False(h.Scheduler.SetPaused("nope", true));
    }

    [Fact]
    public async Task Reload_swaps_jobs_and_an_invalid_config_keeps_the_old_one()
    {
        var catalog = new FakeCatalog(Job("a", "@hourly"));
        await using var h = Harness(catalog);
        await h.StartAsync();
        await h.NextWaitAsync();

        catalog.NextError = "offsite.yaml:3: unknown repository 'nas'";
        Assert.Equal("offsite.yaml:3: unknown repository 'nas'", await h.Scheduler.ReloadAsync(default));
        Assert.Equal(["a"], h.Scheduler.Jobs.Keys);

        catalog.NextError = null;
        catalog.Next = [Job("b", "61 * * * *")];
        string? error = await h.Scheduler.ReloadAsync(default);
        Assert.Contains("job b: invalid cron expression", error, StringComparison.Ordinal);
        Assert.Equal(["a"], h.Scheduler.Jobs.Keys);

        catalog.Next = [Job("b", "*/5 * * * * *")];
        Assert.Null(await h.Scheduler.ReloadAsync(default));
        Assert.Equal(["b"], h.Scheduler.Jobs.Keys);
        Assert.Equal(("b", Noon.AddSeconds(5)), await h.NextWaitAsync());
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("b", await h.NextStartAsync());
    }

    [Fact]
    public async Task Shutdown_lets_a_run_finish_within_the_grace_period()
    {
        var executor = new WorkingExecutor(time: _clock) { Gate = new TaskCompletionSource() };
        var h = Harness(new FakeCatalog(Job("j")), executor, grace: TimeSpan.FromSeconds(60));
        await h.StartAsync();
        StartOutcome run = await h.Scheduler.RunNowAsync("j", default);
        await h.NextStartAsync();
        Task stop = h.Scheduler.StopAsync(default);
        await Eventually(() => h.Logs.All.Contains("shutting down", StringComparison.Ordinal), "drain started");
        Assert.Equal(StartOutcomeKind.ShuttingDown, (await h.Scheduler.RunNowAsync("j", default)).Kind);
        _clock.Advance(TimeSpan.FromSeconds(59));
        executor.Gate.SetResult();
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RunStatus.Succeeded, run.Run!.Status);
        Assert.Single(executor.Snapshots);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Shutdown_cancels_a_run_still_going_after_the_grace_period_without_a_snapshot()
    {
        var executor = new WorkingExecutor(time: _clock) { Gate = new TaskCompletionSource() };
        var h = Harness(new FakeCatalog(Job("j")), executor, grace: TimeSpan.FromSeconds(60));
        await h.StartAsync();
        StartOutcome run = await h.Scheduler.RunNowAsync("j", default);
        await h.NextStartAsync();
        Task stop = h.Scheduler.StopAsync(default);
        await Eventually(() => h.Logs.All.Contains("shutting down", StringComparison.Ordinal), "drain started");
        _clock.Advance(TimeSpan.FromSeconds(60));
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RunStatus.Cancelled, run.Run!.Status);
        Assert.Empty(executor.Snapshots);
        Assert.Single(executor.Cancelled);
        Assert.Contains("grace period over", h.Logs.All, StringComparison.Ordinal);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Two_hosts_on_one_repository_never_run_a_job_at_once()
    {
        var probe = new ConcurrencyProbe();
        var catalog = new FakeCatalog(Job("shared", "*/10 * * * * *"));
        await using var a = Harness(catalog, new WorkingExecutor(probe, _clock) { Host = "a" }, host: "a");
        await using var b = Harness(catalog, new WorkingExecutor(probe, _clock) { Host = "b" }, host: "b");
        await a.StartAsync();
        await b.StartAsync();
        for (int round = 0; round < 6; round++)
        {
            await a.NextWaitAsync();
            await b.NextWaitAsync();
            _clock.Advance(TimeSpan.FromSeconds(10)); // both wake at the same instant and race for the lease
        }
        await a.NextWaitAsync();
        await b.NextWaitAsync();
        Assert.Equal(1, probe.Max);
        Assert.Equal(6, a.Executor.Runs + b.Executor.Runs);
        Assert.Equal(6, a.Executor.Snapshots.Count + b.Executor.Snapshots.Count);
        Assert.Contains("running elsewhere", a.Logs.All + b.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frozen_host_whose_lease_was_taken_over_stops_before_writing_its_snapshot()
    {
        // Host a's clock stands still (as if SIGSTOPped or partitioned: no renewals); host b's clock moves on.
        var frozen = new FakeTimeProvider(Noon);
        var executorA = new WorkingExecutor(time: frozen) { Host = "a", Gate = new TaskCompletionSource() };
        await using var a = Harness(new FakeCatalog(Job("db")), executorA, host: "a", clock: frozen);
        await using var b = Harness(new FakeCatalog(Job("db")), new WorkingExecutor(time: _clock) { Host = "b" }, host: "b");
        await a.StartAsync();
        await b.StartAsync();

        StartOutcome runA = await a.Scheduler.RunNowAsync("db", default);
        await a.NextStartAsync();
        StartOutcome refused = await b.Scheduler.RunNowAsync("db", default);
        Assert.Equal(StartOutcomeKind.RunningElsewhere, refused.Kind);
        Assert.Contains("held by a", refused.Message, StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromMinutes(2)); // a's lease expires on b's clock
        StartOutcome runB = await b.Scheduler.RunNowAsync("db", default);
        Assert.Equal(StartOutcomeKind.Started, runB.Kind);
        await runB.Completion!.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RunStatus.Succeeded, runB.Run!.Status);

        executorA.Gate.SetResult(); // a wakes up and reaches its commit point
        await runA.Completion!.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RunStatus.LeaseLost, runA.Run!.Status);
        Assert.Empty(executorA.Snapshots);
        Assert.Single(b.Executor.Snapshots);
        Assert.Equal(runA.Run.LeaseToken + 1, runB.Run.LeaseToken);
    }

    private async Task SeedLastSuccessAsync(string job, DateTimeOffset when)
    {
        var store = new JobLeaseStore(_storage.GetStorage("main"), new JobLeaseOptions { Host = "earlier", Pid = 1, Time = new FakeTimeProvider(when) });
        JobLease lease = await store.AcquireAsync(job, default);
        await lease.ReleaseAsync(when, default);
    }

    public void Dispose() => _storage.Dispose();
}
