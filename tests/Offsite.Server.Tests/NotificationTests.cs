using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Offsite.Server.Abstractions;
using Offsite.Server.Tests.Doubles;
using static Offsite.Server.Tests.Doubles.Jobs;

namespace Offsite.Server.Tests;

/// <summary>Every notification channel against a real local listener on 127.0.0.1.</summary>
public sealed class NotificationTests
{
    [Fact]
    public async Task A_failed_run_reaches_the_webhook_slack_ping_and_email_with_the_log_tail()
    {
        await using HttpRecorder http = await HttpRecorder.StartAsync();
        using var smtp = new SmtpRecorder();
        var settings = new NotificationSettings
        {
            WebhookUrl = http.Url("hooks/abc?token=s3cret"),
            SlackUrl = http.Url("services/T000/B000/XXXX"),
            PingUrl = http.Url("ping/5f1c-uuid"),
            Email = new EmailSettings { Host = "127.0.0.1", Port = smtp.Port, StartTls = false, From = "offsite@example.org", To = ["ops@example.org", "dba@example.org"] },
        };
        var executor = new WorkingExecutor { Fail = ("pg_dump exited with code 1: connection refused", 9) };
        await using var s = await TestServer.StartAsync(new FakeCatalog(Job("db", notifications: settings)), executor);
        using (await s.Client.PostAsync("api/jobs/db/run", null))
        {
        }
        await Eventually(() => http.Requests.Count >= 4 && !smtp.Messages.IsEmpty, "notifications delivered");

        var requests = http.Requests.ToList();
        HttpRecorder.Request start = Assert.Single(requests, r => r.PathAndQuery == "/ping/5f1c-uuid/start");
        Assert.Equal("POST", start.Method);
        HttpRecorder.Request fail = Assert.Single(requests, r => r.PathAndQuery == "/ping/5f1c-uuid/fail");
        Assert.Contains("pg_dump exited with code 1", fail.Body, StringComparison.Ordinal);
        Assert.Contains("reading source of db", fail.Body, StringComparison.Ordinal); // log tail
        Assert.DoesNotContain(requests, r => r.PathAndQuery == "/ping/5f1c-uuid");

        HttpRecorder.Request hook = Assert.Single(requests, r => r.PathAndQuery == "/hooks/abc?token=s3cret");
        Assert.StartsWith("application/json", hook.ContentType, StringComparison.Ordinal);
        using (JsonDocument doc = JsonDocument.Parse(hook.Body))
        {
            JsonElement e = doc.RootElement;
            Assert.Equal("run.failed", e.GetProperty("event").GetString());
            Assert.Equal("db", e.GetProperty("job").GetString());
            Assert.Equal("failed", e.GetProperty("status").GetString());
            Assert.Equal(9, e.GetProperty("exit_code").GetInt32());
            Assert.Equal("test-host", e.GetProperty("host").GetString());
            Assert.Contains("source failed", e.GetProperty("log_tail").GetString(), StringComparison.Ordinal);
        }

        HttpRecorder.Request slack = Assert.Single(requests, r => r.PathAndQuery == "/services/T000/B000/XXXX");
        using (JsonDocument doc = JsonDocument.Parse(slack.Body))
        {
            string text = doc.RootElement.GetProperty("text").GetString()!;
            Assert.Contains("offsite: job db failed on test-host: pg_dump exited with code 1", text, StringComparison.Ordinal);
        }

        SmtpRecorder.Mail mail = Assert.Single(smtp.Messages);
        Assert.Equal("<offsite@example.org>", mail.From);
        Assert.Equal(["<ops@example.org>", "<dba@example.org>"], mail.To);
        Assert.Contains("Subject: offsite: job db failed on test-host", mail.Data, StringComparison.Ordinal);
        Assert.Contains("reading source of db", mail.Data, StringComparison.Ordinal);

        // A receiver has the message before the sender has its reply (the SMTP server's 250, the HTTP
        // response) and counts the delivery: wait for the counters rather than race them.
        string[] expected =
        [
            .. new[] { "webhook", "slack", "email" }.Select(c => $"offsite_notifications_total{{channel=\"{c}\",result=\"delivered\"}} 1"),
            "offsite_notifications_total{channel=\"ping\",result=\"delivered\"} 2",
        ];
        string metrics = await s.Client.GetStringAsync("metrics");
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !expected.All(e => metrics.Contains(e, StringComparison.Ordinal)) && waited.Elapsed < TimeSpan.FromSeconds(10);)
        {
            await Task.Delay(50);
            metrics = await s.Client.GetStringAsync("metrics");
        }
        foreach (string line in expected)
        {
            Assert.Contains(line, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_successful_run_pings_start_and_success_and_notifies_only_when_asked()
    {
        await using HttpRecorder http = await HttpRecorder.StartAsync();
        var quiet = new NotificationSettings { WebhookUrl = http.Url("quiet"), PingUrl = http.Url("ping/q") };
        var loud = new NotificationSettings { WebhookUrl = http.Url("loud"), OnSuccess = true };
        await using var s = await TestServer.StartAsync(new FakeCatalog(Job("a", notifications: quiet), Job("b", notifications: loud)));
        using (await s.Client.PostAsync("api/jobs/a/run", null))
        using (await s.Client.PostAsync("api/jobs/b/run", null))
        {
        }
        await Eventually(() => http.Requests.Count >= 3, "pings and webhook");
        await Eventually(() => !s.Server.Runner.IsRunning("a") && !s.Server.Runner.IsRunning("b"), "runs done");
        var paths = http.Requests.Select(r => r.PathAndQuery).OrderBy(p => p, StringComparer.Ordinal).ToList();
        Assert.Equal(["/loud", "/ping/q", "/ping/q/start"], paths);
        HttpRecorder.Request success = http.Requests.Single(r => r.PathAndQuery == "/ping/q");
        Assert.Contains("snapshot a@", success.Body, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(http.Requests.Single(r => r.PathAndQuery == "/loud").Body);
        Assert.Equal("run.succeeded", doc.RootElement.GetProperty("event").GetString());
        Assert.Equal(1000, doc.RootElement.GetProperty("bytes_read").GetInt64());
    }

    [Fact]
    public async Task An_undeliverable_notification_is_logged_and_counted_and_never_fails_the_backup()
    {
        await using HttpRecorder http = await HttpRecorder.StartAsync();
        int closedPort = FreePort();
        var settings = new NotificationSettings
        {
            OnSuccess = true,
            WebhookUrl = new Uri($"http://127.0.0.1:{closedPort}/hook/secret-path-token"),
            SlackUrl = http.Url("broken/secret-slack-token"),
            Email = new EmailSettings { Host = "127.0.0.1", Port = FreePort(), StartTls = false, From = "a@example.org", To = ["b@example.org"], Username = "u", Password = "smtp-password-123" },
        };
        var executor = new WorkingExecutor();
        await using var s = await TestServer.StartAsync(new FakeCatalog(Job("db", notifications: settings)), executor);
        using (await s.Client.PostAsync("api/jobs/db/run", null))
        {
        }
        await Eventually(() => s.Logs.Lines.Count(l => l.Message.Contains("not delivered", StringComparison.Ordinal)) >= 3, "three failures logged");

        Assert.Single(executor.Snapshots);
        Assert.Equal(Scheduling.RunStatus.Succeeded, s.Server.Scheduler.Jobs["db"].State.LastRun!.Status);
        string metrics = await s.Client.GetStringAsync("metrics");
        foreach (string channel in new[] { "webhook", "slack", "email" })
        {
            Assert.Contains($"offsite_notifications_total{{channel=\"{channel}\",result=\"failed\"}} 1", metrics, StringComparison.Ordinal);
        }
        string logs = s.Logs.All;
        Assert.Contains($"webhook notification to http://127.0.0.1:{closedPort}/… for job db", logs, StringComparison.Ordinal);
        Assert.Contains("500", logs, StringComparison.Ordinal);
        foreach (string secret in new[] { "secret-path-token", "secret-slack-token", "smtp-password-123", s.Token })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
