using System.Net.Http.Json;

namespace Offsite.Server.Notifications;

/// <summary>Slack-compatible incoming webhook (also Mattermost, Rocket.Chat, Discord's /slack endpoint): <c>{"text": …}</c>.</summary>
public sealed class SlackChannel : INotificationChannel
{
    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly bool _onSuccess;

    public SlackChannel(HttpClient http, Uri url, bool onSuccess)
    {
        _http = http;
        _url = url;
        _onSuccess = onSuccess;
    }

    public string Name => "slack";
    public string Target => Redact.Url(_url);

    public bool Wants(RunEventKind kind) => kind == RunEventKind.Failed || (kind == RunEventKind.Succeeded && _onSuccess);

    public async Task SendAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        string text = runEvent.Kind == RunEventKind.Failed
            ? $":red_circle: {runEvent.Summary}\n```{runEvent.Run.Log.Tail(10, 2500)}```"
            : $":large_green_circle: {runEvent.Summary}";
        using HttpResponseMessage response = await _http.PostAsJsonAsync(_url, new SlackPayload(text), NotificationJsonContext.Default.SlackPayload, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }
}
