using System.Security.Authentication;

namespace Offsite.Storage.S3;

/// <summary>
/// A TLS handshake that fails (most often: https:// to a server that speaks plain HTTP) fails the same
/// way on every retry. The SDK retries every <see cref="HttpRequestException"/> with backoff, which took
/// over a minute before the error showed; rethrown as <see cref="TlsHandshakeException"/> (not an I/O
/// error) it is reported at once.
/// </summary>
internal sealed class TlsFailureHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (S3Errors.Find<AuthenticationException>(e) is { } tls)
        {
            throw new TlsHandshakeException($"the TLS handshake with {request.RequestUri?.GetLeftPart(UriPartial.Authority)} failed ({S3Errors.Innermost(tls).Message})", e);
        }
    }
}

/// <summary>The TLS handshake with the S3 endpoint failed; retrying cannot help.</summary>
public sealed class TlsHandshakeException : Exception
{
    public TlsHandshakeException() { }
    public TlsHandshakeException(string message) : base(message) { }
    public TlsHandshakeException(string message, Exception inner) : base(message, inner) { }
}
