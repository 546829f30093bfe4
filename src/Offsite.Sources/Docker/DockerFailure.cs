using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Offsite.Core.Errors;

namespace Offsite.Sources.Docker;

/// <summary>
/// Turns what the Docker client throws into one line a user can act on: the daemon could not be
/// reached, the named volume or container does not exist, or the daemon's own message.
/// </summary>
public static class DockerFailure
{
    public static bool IsNotFound(Exception e) => e is DockerApiException { StatusCode: HttpStatusCode.NotFound };

    /// <summary>True when the daemon could not be reached at all (no socket, refused, closed).</summary>
    public static bool IsUnreachable(Exception e) =>
        e is HttpRequestException or SocketException || (e is IOException && e is not EndOfStreamException) || e.InnerException is SocketException;

    /// <summary>The daemon's message without the client's wrapping ("no such volume: x").</summary>
    public static string Cause(Exception e)
    {
        if (e is DockerApiException api)
        {
            string? body = api.ResponseBody?.Trim();
            if (body is { Length: > 0 } && body[0] == '{')
            {
                try
                {
                    using var doc = JsonDocument.Parse(body);
                    if (doc.RootElement.TryGetProperty("message", out var m) && m.GetString() is { Length: > 0 } message)
                    {
                        return message;
                    }
                }
                catch (JsonException)
                {
                    // not the daemon's JSON error: quote the body as it is
                }
            }
            return string.IsNullOrEmpty(body) ? $"HTTP {(int)api.StatusCode}" : body;
        }
        var inner = e;
        while (inner.InnerException is not null && inner is HttpRequestException or IOException)
        {
            inner = inner.InnerException;
        }
        return inner.Message;
    }

    /// <summary>
    /// The error for a failed call about <paramref name="subject"/> (e.g. "docker volume 'data'"):
    /// missing → <paramref name="missing"/>, unreachable → <paramref name="other"/> naming the endpoint.
    /// </summary>
    public static OffsiteException For(string subject, Exception e, DockerEndpoint endpoint, ErrorKind missing, ErrorKind other)
    {
        if (e is OffsiteException known) return known;
        if (IsNotFound(e)) return new OffsiteException(missing, $"{subject}: not found on the Docker daemon at {endpoint.Display} ({Cause(e)})", e);
        if (IsUnreachable(e)) return new OffsiteException(other, $"{subject}: cannot reach the Docker daemon at {endpoint.Display}: {Cause(e)}", e);
        return new OffsiteException(other, $"{subject}: {Cause(e)}", e);
    }

    /// <summary>True for what <see cref="For"/> translates (so callers can catch exactly those).</summary>
    public static bool IsDockerError(Exception e) => e is DockerApiException or HttpRequestException or SocketException or IOException or TimeoutException;
}
