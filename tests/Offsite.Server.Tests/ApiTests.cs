using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Offsite.Server.Abstractions;
using Offsite.Server.Tests.Doubles;
using static Offsite.Server.Tests.Doubles.Jobs;

namespace Offsite.Server.Tests;

/// <summary>The HTTP API over real HTTP on 127.0.0.1.</summary>
public sealed class ApiTests
{
    private static FakeCatalog Catalog() => new(
        Job("db", "0 0 3 * * *", timeout: TimeSpan.FromHours(2), retention: true),
        Job("files", "@daily", repository: "nas", zone: "Europe/Berlin"));

    [Fact]
    public async Task Healthz_is_open_and_everything_else_needs_the_token_without_saying_why()
    {
        await using var s = await TestServer.StartAsync(Catalog());
        using HttpResponseMessage health = await s.Anonymous.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        foreach (string path in new[] { "readyz", "api/jobs", "metrics", "api/runs/x", "api/snapshots", "nonexistent" })
        {
            using HttpResponseMessage none = await s.Anonymous.GetAsync(path);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, path);
            wrong.Headers.Authorization = new("Bearer", s.Token + "x");
            using HttpResponseMessage bad = await s.Anonymous.SendAsync(wrong);
            using var basic = new HttpRequestMessage(HttpMethod.Get, path);
            basic.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("u:" + s.Token)));
            using HttpResponseMessage basicResponse = await s.Anonymous.SendAsync(basic);
            foreach (HttpResponseMessage r in new[] { none, bad, basicResponse })
            {
                Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
                Assert.Equal("", await r.Content.ReadAsStringAsync());
                Assert.Equal("Bearer", r.Headers.WwwAuthenticate.Single().Scheme);
            }
        }
        using HttpResponseMessage post = await s.Anonymous.PostAsync("api/jobs/db/run", null);
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(0, s.Executor.Runs);
        Assert.DoesNotContain(s.Token, s.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_list_their_schedule_state_and_next_run()
    {
        await using var s = await TestServer.StartAsync(Catalog());
        await Eventually(() => s.Server.Scheduler.Jobs.Values.All(j => j.State.NextRun is not null), "next runs computed");
        using JsonDocument jobs = await GetJsonAsync(s.Client, "api/jobs");
        JsonElement db = jobs.RootElement.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "db");
        Assert.Equal("0 0 3 * * *", db.GetProperty("schedule").GetString());
        Assert.Equal("idle", db.GetProperty("state").GetString());
        Assert.Equal(7200, db.GetProperty("timeout_seconds").GetDouble());
        Assert.True(db.GetProperty("next_run").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        JsonElement files = jobs.RootElement.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "files");
        Assert.Equal("Europe/Berlin", files.GetProperty("time_zone").GetString());
        Assert.Equal("nas", files.GetProperty("repository").GetString());

        using HttpResponseMessage ready = await s.Client.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Run_now_returns_202_then_409_while_running_and_the_run_shows_status_log_and_stats()
    {
        var executor = new WorkingExecutor { Gate = new TaskCompletionSource() };
        await using var s = await TestServer.StartAsync(Catalog(), executor);
        using HttpResponseMessage started = await s.Client.PostAsync("api/jobs/db/run", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        using JsonDocument run = JsonDocument.Parse(await started.Content.ReadAsStringAsync());
        string id = run.RootElement.GetProperty("id").GetString()!;
        Assert.Equal("running", run.RootElement.GetProperty("status").GetString());
        Assert.Equal("manual", run.RootElement.GetProperty("trigger").GetString());

        using HttpResponseMessage conflict = await s.Client.PostAsync("api/jobs/db/run", null);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("job db is running", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (JsonDocument jobs = await GetJsonAsync(s.Client, "api/jobs/db"))
        {
            Assert.Equal("running", jobs.RootElement.GetProperty("state").GetString());
        }

        executor.Gate.SetResult();
        await Eventually(() => s.Server.Runner.History.Find(id)!.Status != Scheduling.RunStatus.Running, "run finished");
        using JsonDocument done = await GetJsonAsync(s.Client, $"api/runs/{id}");
        JsonElement r = done.RootElement;
        Assert.Equal("succeeded", r.GetProperty("status").GetString());
        Assert.Equal(0, r.GetProperty("exit_code").GetInt32());
        Assert.Equal(1000, r.GetProperty("bytes_read").GetInt64());
        Assert.Equal(60, r.GetProperty("bytes_stored").GetInt64());
        Assert.Equal(7, r.GetProperty("files").GetInt64());
        Assert.StartsWith("db@", r.GetProperty("snapshots")[0].GetString(), StringComparison.Ordinal);
        string log = string.Join('\n', r.GetProperty("log").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("reading source of db", log, StringComparison.Ordinal);
        Assert.Contains("snapshot db@", log, StringComparison.Ordinal);

        using HttpResponseMessage unknownRun = await s.Client.GetAsync("api/runs/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknownRun.StatusCode);
        using HttpResponseMessage unknownJob = await s.Client.PostAsync("api/jobs/nope/run", null);
        Assert.Equal(HttpStatusCode.NotFound, unknownJob.StatusCode);

        // One structured line at start and one at the end, with the figures.
        Assert.Single(s.Logs.Lines, l => l.Message.Contains($"run {id} of job db started", StringComparison.Ordinal));
        var end = Assert.Single(s.Logs.Lines, l => l.Message.Contains($"run {id} of job db succeeded", StringComparison.Ordinal));
        Assert.Equal(1000L, end.Fields["BytesRead"]);
        Assert.Equal(60L, end.Fields["BytesStored"]);
    }

    [Fact]
    public async Task Pause_and_resume()
    {
        await using var s = await TestServer.StartAsync(Catalog());
        using HttpResponseMessage paused = await s.Client.PostAsync("api/jobs/db/pause", null);
        using (JsonDocument doc = JsonDocument.Parse(await paused.Content.ReadAsStringAsync()))
        {
            Assert.Equal("paused", doc.RootElement.GetProperty("state").GetString());
            Assert.False(doc.RootElement.TryGetProperty("next_run", out _));
        }
        using HttpResponseMessage resumed = await s.Client.PostAsync("api/jobs/db/resume", null);
        using (JsonDocument doc = JsonDocument.Parse(await resumed.Content.ReadAsStringAsync()))
        {
            Assert.Equal("idle", doc.RootElement.GetProperty("state").GetString());
        }
        using HttpResponseMessage missing = await s.Client.PostAsync("api/jobs/nope/pause", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Snapshots_pass_the_filters_and_refuse_bad_ones()
    {
        var queries = new FakeQueries();
        queries.Snapshots.Add(new SnapshotSummary("aaaa1111", "main", "db", DateTimeOffset.UtcNow.AddHours(-1), "h1", "pg:db/app", ["nightly"], 1234));
        queries.Snapshots.Add(new SnapshotSummary("bbbb2222", "main", "db", DateTimeOffset.UtcNow, "h2", "pg:db/app", [], 999));
        await using var s = await TestServer.StartAsync(Catalog(), queries: queries);
        using JsonDocument list = await GetJsonAsync(s.Client, "api/snapshots?repository=main&job=db&tag=nightly&limit=5");
        Assert.Equal("aaaa1111", Assert.Single(list.RootElement.EnumerateArray()).GetProperty("id").GetString());
        Assert.Contains("snapshots repository=main job=db host= tag=nightly limit=5", queries.Calls);

        foreach ((string path, HttpStatusCode code) in new[] { ("api/snapshots?limit=0", HttpStatusCode.BadRequest), ("api/snapshots?limit=x", HttpStatusCode.BadRequest),
            ("api/snapshots?repository=other", HttpStatusCode.NotFound), ("api/snapshots?job=other", HttpStatusCode.NotFound) })
        {
            using HttpResponseMessage r = await s.Client.GetAsync(path);
            Assert.Equal(code, r.StatusCode);
            using JsonDocument error = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
            Assert.False(string.IsNullOrEmpty(error.RootElement.GetProperty("error").GetString()));
        }
    }

    [Fact]
    public async Task Check_reads_a_data_subset_and_malformed_bodies_are_400()
    {
        await using var s = await TestServer.StartAsync(Catalog());
        using HttpResponseMessage ok = await s.Client.PostAsync("api/check", Json("""{"repository":"main","read_data_subset":"10%"}"""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (JsonDocument doc = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()))
        {
            Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal(3, doc.RootElement.GetProperty("packs_read").GetInt64());
        }
        Assert.Contains("check main subset=10%", s.Queries.Calls);

        foreach (string body in new[] { "{", "[1,2]", "\"x\"", """{"repository":"main","read_data_subset":"lots"}""", """{"repository":"main","reed_data_subset":"10%"}""", """{"repository":5}""" })
        {
            using HttpResponseMessage bad = await s.Client.PostAsync("api/check", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            using JsonDocument error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
            Assert.DoesNotContain('\n', error.RootElement.GetProperty("error").GetString()!);
        }
        // Two repositories: the name is required.
        using HttpResponseMessage ambiguous = await s.Client.PostAsync("api/check", null);
        Assert.Equal(HttpStatusCode.BadRequest, ambiguous.StatusCode);
        Assert.Contains("\\u0022repository\\u0022 is required", await ambiguous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using HttpResponseMessage unknown = await s.Client.PostAsync("api/check", Json("""{"repository":"tape"}"""));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Forget_and_prune_are_409_without_retention_and_run_with_it()
    {
        await using var s = await TestServer.StartAsync(Catalog());
        using HttpResponseMessage noRetention = await s.Client.PostAsync("api/forget", Json("""{"repository":"nas"}"""));
        Assert.Equal(HttpStatusCode.Conflict, noRetention.StatusCode);
        Assert.Contains("repository nas has no retention policy", await noRetention.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using HttpResponseMessage pruneNo = await s.Client.PostAsync("api/prune", Json("""{"repository":"nas"}"""));
        Assert.Equal(HttpStatusCode.Conflict, pruneNo.StatusCode);

        using HttpResponseMessage forget = await s.Client.PostAsync("api/forget", Json("""{"repository":"main","job":"db","dry_run":true}"""));
        Assert.Equal(HttpStatusCode.OK, forget.StatusCode);
        Assert.Contains("forget main job=db dry=True", s.Queries.Calls);
        using HttpResponseMessage prune = await s.Client.PostAsync("api/prune", Json("""{"repository":"main"}"""));
        Assert.Equal(HttpStatusCode.OK, prune.StatusCode);
        using (JsonDocument doc = JsonDocument.Parse(await prune.Content.ReadAsStringAsync()))
        {
            Assert.Equal(4096, doc.RootElement.GetProperty("bytes_freed").GetInt64());
        }

        s.Queries.RetentionNotSupported = true; // e.g. a write-only key
        using HttpResponseMessage refused = await s.Client.PostAsync("api/prune", Json("""{"repository":"main"}"""));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("write-only", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using HttpResponseMessage malformed = await s.Client.PostAsync("api/forget", Json("""{"repository":"main","dry_run":"yes"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task Reload_over_http_keeps_the_old_config_when_the_new_one_is_invalid()
    {
        var catalog = Catalog();
        await using var s = await TestServer.StartAsync(catalog);
        catalog.NextError = "offsite.yaml:7: schedule: invalid cron expression";
        using HttpResponseMessage refused = await s.Client.PostAsync("api/reload", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("offsite.yaml:7", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, s.Server.Scheduler.Jobs.Count);

        catalog.NextError = null;
        catalog.Next = [Job("db", "@hourly"), Job("etc", "@daily"), Job("logs", "@weekly")];
        using HttpResponseMessage ok = await s.Client.PostAsync("api/reload", null);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using JsonDocument doc = JsonDocument.Parse(await ok.Content.ReadAsStringAsync());
        Assert.Equal(3, doc.RootElement.GetProperty("jobs").GetInt32());
        string metrics = await s.Client.GetStringAsync("metrics");
        Assert.Contains("offsite_config_reloads_total{result=\"failed\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("offsite_config_last_reload_successful 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sighup_reloads_the_config()
    {
        var catalog = Catalog();
        await using var s = await TestServer.StartAsync(catalog, configure: o => o with { ReloadOnSighup = true });
        catalog.Next = [Job("only", "@hourly")];
        using (var kill = System.Diagnostics.Process.Start("kill", ["-HUP", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        // Generous limits: on a loaded CI machine the signal thread and the reload task can wait seconds
        // for a core. Two steps, so that a failure says whether the signal or the reload went missing.
        await Eventually(() => catalog.Reloads >= 1, "the catalog to be re-read after SIGHUP", timeoutMs: 60_000);
        await Eventually(() => s.Server.Scheduler.Jobs.ContainsKey("only"), "the reloaded job list to replace the old one", timeoutMs: 60_000);
    }

    [Fact]
    public async Task Metrics_show_per_job_and_per_repository_figures_in_prometheus_format()
    {
        var executor = new WorkingExecutor();
        await using var s = await TestServer.StartAsync(Catalog(), executor);
        using (await s.Client.PostAsync("api/jobs/db/run", null))
        {
        }
        await Eventually(() => executor.Snapshots.Count == 1 && !s.Server.Runner.IsRunning("db"), "db run");
        executor.Fail = ("pg_dump exited with code 1", 9);
        using (await s.Client.PostAsync("api/jobs/files/run", null))
        {
        }
        await Eventually(() => s.Server.Scheduler.Jobs["files"].State.LastRun is not null, "files run");
        await Eventually(() => s.Queries.Calls.Count(c => c.StartsWith("stats", StringComparison.Ordinal)) >= 3, "repository stats");

        using HttpResponseMessage response = await s.Client.GetAsync("metrics");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
        string m = await response.Content.ReadAsStringAsync();
        Assert.Matches(@"offsite_job_last_success_timestamp_seconds\{job_name=""db"",repository=""main""\} 1[0-9]{9}(\.[0-9]+)?\n", m);
        Assert.Contains("offsite_job_last_run_read_bytes{job_name=\"db\"} 1000", m, StringComparison.Ordinal);
        Assert.Contains("offsite_job_last_run_added_bytes{job_name=\"db\"} 100", m, StringComparison.Ordinal);
        Assert.Contains("offsite_job_last_run_stored_bytes{job_name=\"db\"} 60", m, StringComparison.Ordinal);
        Assert.Contains("offsite_job_last_run_files{job_name=\"db\"} 7", m, StringComparison.Ordinal);
        Assert.Contains("offsite_job_last_run_dedup_ratio{job_name=\"db\"} 0.9", m, StringComparison.Ordinal);
        Assert.Contains("offsite_job_runs_total{job_name=\"db\",status=\"succeeded\"} 1", m, StringComparison.Ordinal);
        Assert.Contains("offsite_job_runs_total{job_name=\"files\",status=\"failed\"} 1", m, StringComparison.Ordinal);
        Assert.Contains("offsite_job_failures_total{job_name=\"files\"} 1", m, StringComparison.Ordinal);
        Assert.Contains("offsite_job_failures_total{job_name=\"db\"} 0", m, StringComparison.Ordinal);
        Assert.Contains("offsite_job_running{job_name=\"db\"} 0", m, StringComparison.Ordinal);
        Assert.Contains("offsite_job_interval_seconds{job_name=\"files\"} 86400", m, StringComparison.Ordinal);
        Assert.Matches(@"offsite_job_next_run_timestamp_seconds\{job_name=""db""\} 1[0-9]{9}(\.[0-9]+)?\n", m);
        Assert.Matches(@"offsite_job_last_run_duration_seconds\{job_name=""db""\} [0-9.e-]+", m);
        Assert.Contains("offsite_repository_size_bytes{repository=\"main\"} 123456789", m, StringComparison.Ordinal);
        Assert.Contains("offsite_repository_snapshots{repository=\"nas\"} 42", m, StringComparison.Ordinal);
        Assert.Contains("# TYPE offsite_job_runs_total counter", m, StringComparison.Ordinal);

        using JsonDocument files = await GetJsonAsync(s.Client, "api/jobs/files");
        Assert.Equal("pg_dump exited with code 1", files.RootElement.GetProperty("last_error").GetString());
        Assert.Equal(9, files.RootElement.GetProperty("last_run").GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public async Task Json_logs_on_request_select_the_json_console_formatter()
    {
        // Without a logger factory from the CLI the server logs to the console itself; JsonLogs picks the JSON formatter
        // (one object per line with the structured fields of each message).
        var options = new Hosting.ServerOptions { Token = "t-" + Guid.NewGuid(), Port = 0, ReloadOnSighup = false, JsonLogs = true };
        using var storage = new LocalLeaseStorage();
        await using Hosting.RunningServer server = await Hosting.ServerHost.StartAsync(options, Catalog(), new WorkingExecutor(), new FakeQueries(), storage, null, default);
        var console = server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>>();
        Assert.Equal("json", console.CurrentValue.FormatterName);
        await server.StopAsync();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonDocument> GetJsonAsync(HttpClient client, string path)
    {
        using HttpResponseMessage r = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync());
    }
}
