using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Offsite.Core.Errors;

namespace Offsite.Sources.Http;

/// <summary>
/// Turns what went wrong talking to a service into one line: the HTTP status with the server's own
/// reason (Vault's and Nomad's <c>errors</c>, etcd's <c>error.message</c>, Consul's plain text), or
/// the network cause (refused, unknown host, TLS). Secrets are redacted from whatever the server said.
/// </summary>
public static class HttpFailures
{
    private const int MaxErrorBody = 64 * 1024;
    private const int MaxReason = 300;

    public static async Task<OffsiteException> FromResponseAsync(HttpResponseMessage response, string what, Redactor redactor, CancellationToken cancellationToken)
    {
        string body = await ReadSomeAsync(response, cancellationToken).ConfigureAwait(false);
        string reason = ReasonOf(body);
        var request = response.RequestMessage;
        string hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => " (is the token right, and may it do this?)",
            HttpStatusCode.NotFound => " (is the address right, and does this server offer this API?)",
            _ => "",
        };
        string status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        string message = $"{what}: {status} from {request?.Method} {request?.RequestUri?.AbsolutePath}{(reason.Length > 0 ? ": " + reason : "")}{hint}";
        return new OffsiteException(ErrorKind.SourceFailed, redactor.Redact(message));
    }

    public static OffsiteException FromException(Exception e, string what, Redactor redactor)
    {
        string cause = e switch
        {
            HttpRequestException { InnerException: SocketException s } => s.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused (is the service running at this address?)",
                SocketError.HostNotFound or SocketError.NoData => "unknown host",
                _ => s.Message,
            },
            HttpRequestException { InnerException: AuthenticationException a } => $"TLS handshake failed: {a.Message} (give the CA file, or a client certificate the server accepts)",
            HttpRequestException h => h.Message,
            TaskCanceledException or TimeoutException => $"no connection within {HttpClients.ConnectTimeout.TotalSeconds:0}s",
            _ => e.Message,
        };
        return new OffsiteException(ErrorKind.SourceFailed, redactor.Redact($"{what}: {cause}"), e);
    }

    /// <summary>The server's reason from an error body, shortened to one line.</summary>
    public static string ReasonOf(string body)
    {
        string text = body.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement;
                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                {
                    text = string.Join("; ", errors.EnumerateArray().Select(x => x.ToString()));
                }
                else if (root.TryGetProperty("error", out var error))
                {
                    text = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString();
                }
                else if (root.TryGetProperty("message", out var message))
                {
                    text = message.ToString();
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: show it as text.
            }
        }
        text = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return text.Length <= MaxReason ? text : text[..MaxReason] + "…";
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxErrorBody];
            int filled = 0;
            while (filled < buffer.Length)
            {
                int n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                filled += n;
            }
            return Encoding.UTF8.GetString(buffer, 0, filled);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return ""; // the status says enough; a broken error body adds nothing
        }
    }
}
