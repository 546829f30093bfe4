using System.Diagnostics;
using System.Net;
using Offsite.Server.Tests.Doubles;
using Xunit.Abstractions;

namespace Offsite.Server.Tests;

/// <summary>
/// Separate server processes on one repository directory (real leases on local storage, real signals). The job's
/// executor holds an exclusive marker file while it runs, so two runs at once anywhere would be seen ("OVERLAP").
/// </summary>
public sealed class ProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _repo = Directory.CreateTempSubdirectory("offsite-serve-proc-").FullName;
    private string Events => Path.Combine(_repo, "events.log");

    private string[] EventLines() => File.Exists(Events) ? File.ReadAllLines(Events) : [];
    private int Count(string what, string? host = null) => EventLines().Count(l => l.StartsWith($"{what} {host}", StringComparison.Ordinal));

    [Fact]
    public async Task Two_serve_processes_on_one_repository_never_run_the_job_at_once()
    {
        // Both run "every second"; each run takes 1.2 s, so both hosts want the job far more often than it can run.
        await using ServeProcess a = await ServeProcess.StartAsync(_repo, Events, "a", "* * * * * *", 1.2, 10, 10);
        await using ServeProcess b = await ServeProcess.StartAsync(_repo, Events, "b", "* * * * * *", 1.2, 10, 10);
        await Jobs.Eventually(() => Count("commit") >= 4, "four committed runs", 30_000);
        await a.SigtermAsync();
        await b.SigtermAsync();
        Assert.Equal(0, await a.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, await b.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        string[] lines = EventLines();
        output.WriteLine(string.Join('\n', lines));
        Assert.DoesNotContain(lines, l => l.StartsWith("OVERLAP", StringComparison.Ordinal));
        Assert.Equal(Count("start"), Count("end"));
        Assert.True(Count("commit") >= 4);
        // Start and end strictly alternate in the shared log: never two starts in a row.
        string[] kinds = [.. lines.Select(l => l.Split(' ')[0]).Where(k => k is "start" or "end")];
        for (int i = 0; i < kinds.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? "start" : "end", kinds[i]);
        }
    }

    [Fact]
    public async Task After_kill_9_of_the_lease_holder_the_other_process_takes_the_job_over_once_the_lease_expires()
    {
        const double ttl = 3;
        await using ServeProcess a = await ServeProcess.StartAsync(_repo, Events, "a", null, 600, 10, ttl);
        await using ServeProcess b = await ServeProcess.StartAsync(_repo, Events, "b", null, 0.3, 10, ttl);
        using (HttpResponseMessage started = await a.Client.PostAsync("api/jobs/shared/run", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        }
        await Jobs.Eventually(() => Count("start", "a") == 1, "a running");
        using (HttpResponseMessage refused = await b.Client.PostAsync("api/jobs/shared/run", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("held by a", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        a.KillHard();
        await a.WaitForExitAsync(TimeSpan.FromSeconds(10));
        File.Delete(Path.Combine(_repo, "busy")); // a's marker: a is dead, it cannot run anything any more
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(100); // polling the API as an operator would; the lease expiry itself is real time here
            using HttpResponseMessage r = await b.Client.PostAsync("api/jobs/shared/run", null);
            status = r.StatusCode;
        }
        while (status == HttpStatusCode.Conflict && clock.Elapsed < TimeSpan.FromSeconds(20));
        TimeSpan takeover = clock.Elapsed;
        output.WriteLine($"b took the job over {takeover.TotalSeconds:0.00} s after kill -9 (lease TTL {ttl} s)");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.InRange(takeover, TimeSpan.Zero, TimeSpan.FromSeconds(ttl + 1.5));
        await Jobs.Eventually(() => Count("commit", "b") == 1, "b committed");
        Assert.Equal(0, Count("commit", "a"));
    }

    [Fact]
    public async Task Sigterm_during_a_run_lets_it_finish_within_the_grace_period_and_exits_0()
    {
        await using ServeProcess a = await ServeProcess.StartAsync(_repo, Events, "a", null, 2, 30, 10);
        using (await a.Client.PostAsync("api/jobs/shared/run", null))
        {
        }
        await Jobs.Eventually(() => Count("start", "a") == 1, "a running");
        var clock = Stopwatch.StartNew();
        await a.SigtermAsync();
        Assert.Equal(0, await a.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine($"exited {clock.Elapsed.TotalSeconds:0.00} s after SIGTERM\n{a.Output}");
        Assert.Equal(1, Count("commit", "a"));
        Assert.Equal(0, Count("cancel", "a"));
    }

    [Fact]
    public async Task Sigterm_during_a_run_longer_than_the_grace_period_cancels_it_without_a_snapshot_and_exits_0()
    {
        await using ServeProcess a = await ServeProcess.StartAsync(_repo, Events, "a", null, 600, 1, 10);
        using (await a.Client.PostAsync("api/jobs/shared/run", null))
        {
        }
        await Jobs.Eventually(() => Count("start", "a") == 1, "a running");
        var clock = Stopwatch.StartNew();
        await a.SigtermAsync();
        Assert.Equal(0, await a.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        TimeSpan exit = clock.Elapsed;
        output.WriteLine($"exited {exit.TotalSeconds:0.00} s after SIGTERM (grace 1 s)\n{a.Output}");
        Assert.InRange(exit, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(1, Count("cancel", "a"));
        Assert.Equal(0, Count("commit", "a"));
        Assert.Contains("grace period over", a.Output, StringComparison.Ordinal);

        // The lease was released on the way out: another server can run the job at once.
        await using ServeProcess b = await ServeProcess.StartAsync(_repo, Events, "b", null, 0.1, 1, 10);
        using HttpResponseMessage r = await b.Client.PostAsync("api/jobs/shared/run", null);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_repo, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
