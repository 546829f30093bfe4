using System.Net;
using System.Net.Mail;
using Offsite.Server.Abstractions;

namespace Offsite.Server.Notifications;

/// <summary>E-mail through an SMTP server (STARTTLS when configured; the password is never logged).</summary>
public sealed class EmailChannel : INotificationChannel
{
    private readonly EmailSettings _settings;
    private readonly bool _onSuccess;

    public EmailChannel(EmailSettings settings, bool onSuccess)
    {
        _settings = settings;
        _onSuccess = onSuccess;
    }

    public string Name => "email";
    public string Target => $"smtp://{_settings.Host}:{_settings.Port}";

    public bool Wants(RunEventKind kind) => kind == RunEventKind.Failed || (kind == RunEventKind.Succeeded && _onSuccess);

    public async Task SendAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        using var message = new MailMessage { From = new MailAddress(_settings.From), Subject = runEvent.Summary, Body = runEvent.Text(50) };
        foreach (string to in _settings.To)
        {
            message.To.Add(to);
        }
        using var client = new SmtpClient(_settings.Host, _settings.Port)
        {
            EnableSsl = _settings.StartTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
        };
        if (_settings.Username is not null)
        {
            client.Credentials = new NetworkCredential(_settings.Username, _settings.Password);
        }
        await client.SendMailAsync(message, cancellationToken).ConfigureAwait(false);
    }
}
