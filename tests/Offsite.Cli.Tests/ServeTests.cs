using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>`offsite serve` on a real config file: a job run through the API lands in the repository, metrics show it, SIGTERM exits 0.</summary>
public sealed class ServeTests : IDisposable
{
    private const string Token = "test-token-4b1d";
    private readonly Sandbox _box = new(init: false);

    public ServeTests()
    {
        _box.Env["OFFSITE_REPOSITORY"] = null;
        _box.Env["OFFSITE_PASSWORD"] = null;
    }

    public void Dispose() => _box.Dispose();

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_job_run_through_the_api_is_stored_and_measured_and_sigterm_exits_0()
    {
        string data = _box.Dir.Sub("data");
        File.WriteAllText(Path.Combine(data, "a.txt"), "served\n");
        File.WriteAllText(_box.Path("pw"), Sandbox.Password + "\n");
        File.WriteAllText(_box.Path("token"), Token + "\n");
        int port = FreePort();
        string config = _box.Path("offsite.yaml");
        File.WriteAllText(config, $"""
            server: {"{"}listen: "127.0.0.1:{port}", token_file: {_box.Path("token")}, shutdown_grace: 10s, catch_up: false{"}"}
            repositories:
              main: {"{"}location: {_box.Repo}, password_file: {_box.Path("pw")}{"}"}
            jobs:
              files:
                source: {"{"}type: directory, path: {data}{"}"}
                schedule: "0 0 1 1 *"
            """);
        _box.Ok("--config", config, "--job", "files", "init");

        using var serve = _box.Start("--config", config, "serve");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitForAsync(async () => (await http.GetAsync("/healthz")).IsSuccessStatusCode);

            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/jobs/files/run", null)).StatusCode);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            var started = await http.PostAsync("/api/jobs/files/run", null);
            Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
            string id = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

            JsonNode? run = null;
            await WaitForAsync(async () =>
            {
                run = JsonNode.Parse(await http.GetStringAsync($"/api/runs/{id}"));
                return run!["status"]!.GetValue<string>() != "running";
            });
            Assert.True(run!["status"]!.GetValue<string>() == "succeeded", run.ToJsonString());
            string snapshot = run["snapshots"]![0]!.GetValue<string>();

            var listed = JsonNode.Parse(await http.GetStringAsync("/api/snapshots?job=files"))!.ToJsonString();
            Assert.Contains(snapshot, listed, StringComparison.Ordinal);
            string metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("offsite_job_runs_total{job_name=\"files\",status=\"succeeded\"} 1", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, metrics, StringComparison.Ordinal);

            // The snapshot is in the repository, tagged with its job.
            var snapshots = _box.Ok("--config", config, "--job", "files", "--json", "snapshots").Json().AsArray();
            Assert.Contains(snapshots, s => s!["id"]!.GetValue<string>() == snapshot && s["tags"]!.AsArray().Any(t => t!.GetValue<string>() == "job:files"));
        }
        finally
        {
            if (!serve.HasExited)
            {
                ProcRunner.Run("/bin/kill", ["-TERM", serve.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }
            Assert.True(serve.WaitForExit(30_000), "serve did not stop within 30 s of SIGTERM");
        }
        Assert.Equal(0, serve.ExitCode);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                // not listening yet
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "timed out waiting for the server");
            await Task.Delay(200);
        }
    }
}
