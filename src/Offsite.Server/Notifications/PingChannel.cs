using System.Text;

namespace Offsite.Server.Notifications;

/// <summary>
/// Healthchecks-style pings (healthchecks.io protocol): POST <c>URL/start</c>, then <c>URL</c> on success or
/// <c>URL/fail</c> on failure, the body being the summary and log tail (healthchecks keeps the first 100 kB).
/// </summary>
public sealed class PingChannel : INotificationChannel
{
    private readonly HttpClient _http;
    private readonly Uri _url;

    public PingChannel(HttpClient http, Uri url)
    {
        _http = http;
        _url = url;
    }

    public string Name => "ping";
    public string Target => Redact.Url(_url);

    public bool Wants(RunEventKind kind) => true;

    public async Task SendAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        string baseUrl = _url.GetLeftPart(UriPartial.Path).TrimEnd('/');
        string suffix = runEvent.Kind switch
        {
            RunEventKind.Started => "/start",
            RunEventKind.Failed => "/fail",
            _ => "",
        };
        var url = new Uri(baseUrl + suffix + _url.Query);
        string body = runEvent.Kind == RunEventKind.Started ? runEvent.Summary : runEvent.Text(50);
        using var content = new StringContent(body, Encoding.UTF8, "text/plain");
        using HttpResponseMessage response = await _http.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }
}
