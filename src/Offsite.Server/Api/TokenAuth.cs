using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Offsite.Server.Api;

/// <summary>
/// The bearer token check, and the status page's session cookie derived from it. Comparisons are constant-time on
/// SHA-256 digests, so neither the token's length nor its prefix shows in response times. Failures answer 401 with an
/// empty body and <c>WWW-Authenticate: Bearer</c>: nothing says whether a token was missing or wrong.
/// </summary>
public sealed class TokenAuth
{
    public const string CookieName = "offsite_session";

    private readonly byte[] _tokenDigest;
    private readonly byte[] _sessionDigest;

    public TokenAuth(string token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ArgumentException("the API token must not be empty", nameof(token));
        }
        byte[] tokenBytes = Encoding.UTF8.GetBytes(token);
        _tokenDigest = SHA256.HashData(tokenBytes);
        // The cookie holds a value derived from the token, never the token itself; it changes when the token does.
        SessionValue = Base64Url(HMACSHA256.HashData(tokenBytes, "offsite status page session v1"u8));
        _sessionDigest = SHA256.HashData(Encoding.ASCII.GetBytes(SessionValue));
    }

    /// <summary>Value of the status page's cookie.</summary>
    public string SessionValue { get; }

    public bool IsValidToken(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(_tokenDigest, SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));

    /// <summary><c>Authorization: Bearer …</c> with the right token.</summary>
    public bool HasBearer(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        const string prefix = "Bearer ";
        return header is not null && header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && IsValidToken(header[prefix.Length..].Trim());
    }

    /// <summary>The status page's cookie with the right value.</summary>
    public bool HasSession(HttpContext context) =>
        context.Request.Cookies.TryGetValue(CookieName, out string? value) && value is not null &&
        CryptographicOperations.FixedTimeEquals(_sessionDigest, SHA256.HashData(Encoding.ASCII.GetBytes(value)));

    public static Task ChallengeAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
