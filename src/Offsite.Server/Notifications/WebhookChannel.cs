using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Offsite.Server.Metrics;

namespace Offsite.Server.Notifications;

/// <summary>Generic webhook: POSTs the run as JSON (the document of docs/api.md, "Notifications").</summary>
public sealed class WebhookChannel : INotificationChannel
{
    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly bool _onSuccess;

    public WebhookChannel(HttpClient http, Uri url, bool onSuccess)
    {
        _http = http;
        _url = url;
        _onSuccess = onSuccess;
    }

    public string Name => "webhook";
    public string Target => Redact.Url(_url);

    public bool Wants(RunEventKind kind) => kind == RunEventKind.Failed || (kind == RunEventKind.Succeeded && _onSuccess);

    public async Task SendAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        var run = runEvent.Run;
        var body = new WebhookPayload(
            runEvent.Kind == RunEventKind.Succeeded ? "run.succeeded" : "run.failed",
            run.Job, run.Repository, runEvent.Host, run.Id, ServerMetrics.StatusName(run.Status), run.Started, run.Finished,
            run.Duration?.TotalSeconds, run.Error, run.ExitCode, run.Result?.SnapshotIds ?? [],
            run.Result?.BytesRead ?? 0, run.Result?.BytesAdded ?? 0, run.Result?.BytesStored ?? 0, run.Result?.Files ?? 0,
            runEvent.Summary, run.Log.Tail());
        using HttpResponseMessage response = await _http.PostAsJsonAsync(_url, body, NotificationJsonContext.Default.WebhookPayload, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }
}

public sealed record WebhookPayload(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("job")] string Job,
    [property: JsonPropertyName("repository")] string Repository,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("started")] DateTimeOffset Started,
    [property: JsonPropertyName("finished")] DateTimeOffset? Finished,
    [property: JsonPropertyName("duration_seconds")] double? DurationSeconds,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("exit_code")] int ExitCode,
    [property: JsonPropertyName("snapshots")] IReadOnlyList<string> Snapshots,
    [property: JsonPropertyName("bytes_read")] long BytesRead,
    [property: JsonPropertyName("bytes_added")] long BytesAdded,
    [property: JsonPropertyName("bytes_stored")] long BytesStored,
    [property: JsonPropertyName("files")] long Files,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("log_tail")] string LogTail);

public sealed record SlackPayload([property: JsonPropertyName("text")] string Text);

[JsonSerializable(typeof(WebhookPayload))]
[JsonSerializable(typeof(SlackPayload))]
internal sealed partial class NotificationJsonContext : JsonSerializerContext;
