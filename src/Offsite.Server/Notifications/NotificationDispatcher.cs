using System.Net.Mail;
using Microsoft.Extensions.Logging;
using Offsite.Server.Abstractions;
using Offsite.Server.Metrics;

namespace Offsite.Server.Notifications;

/// <summary>
/// Sends run events to a job's channels. A notification that cannot be delivered (refused, unreachable, timed out) is
/// logged — channel and host only — and counted in <c>offsite_notifications_total{result="failed"}</c>; it never fails
/// or delays the backup by more than the timeout.
/// </summary>
public sealed partial class NotificationDispatcher : IDisposable
{
    private readonly HttpClient _http;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;

    public NotificationDispatcher(ServerMetrics metrics, ILogger logger, TimeSpan timeout)
    {
        _metrics = metrics;
        _logger = logger;
        _timeout = timeout;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("offsite-serve/" + typeof(NotificationDispatcher).Assembly.GetName().Version?.ToString(3));
    }

    public IReadOnlyList<INotificationChannel> ChannelsFor(NotificationSettings settings)
    {
        var list = new List<INotificationChannel>();
        if (settings.PingUrl is { } ping)
        {
            list.Add(new PingChannel(_http, ping));
        }
        if (settings.WebhookUrl is { } hook)
        {
            list.Add(new WebhookChannel(_http, hook, settings.OnSuccess));
        }
        if (settings.SlackUrl is { } slack)
        {
            list.Add(new SlackChannel(_http, slack, settings.OnSuccess));
        }
        if (settings.Email is { } email)
        {
            list.Add(new EmailChannel(email, settings.OnSuccess));
        }
        return list;
    }

    /// <summary>Delivers to every channel that wants the event, in parallel; never throws except on cancellation of <paramref name="cancellationToken"/>.</summary>
    public async Task NotifyAsync(NotificationSettings settings, RunEvent runEvent, CancellationToken cancellationToken)
    {
        IEnumerable<Task> sends = ChannelsFor(settings).Where(c => c.Wants(runEvent.Kind)).Select(c => SendOneAsync(c, runEvent, cancellationToken));
        await Task.WhenAll(sends).ConfigureAwait(false);
    }

    private async Task SendOneAsync(INotificationChannel channel, RunEvent runEvent, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            await channel.SendAsync(runEvent, timeout.Token).ConfigureAwait(false);
            _metrics.Notification(channel.Name, delivered: true);
        }
        catch (Exception e) when (e is HttpRequestException or SmtpException or IOException or InvalidOperationException or FormatException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            string reason = e is OperationCanceledException ? $"no answer within {_timeout.TotalSeconds:0} s" : OneLine(e);
            // Counted before it is logged: whoever reads the warning then finds it in /metrics too.
            _metrics.Notification(channel.Name, delivered: false);
            LogUndelivered(_logger, channel.Name, channel.Target, runEvent.Run.Job, runEvent.Run.Id, reason);
        }
    }

    private static string OneLine(Exception e)
    {
        string message = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
        return message.ReplaceLineEndings(" ");
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel} notification to {Target} for job {Job} run {RunId} not delivered: {Reason}")]
    private static partial void LogUndelivered(ILogger logger, string channel, string target, string job, string runId, string reason);
}
