namespace Offsite.Sources.Http;

/// <summary>
/// A header value that may be a secret, resolved only when the request is made (so a token read
/// from a file or a command, or obtained from Vault, is fresh and a failure to get it fails the
/// source, not the config check).
/// </summary>
public interface ITokenSource
{
    /// <summary>Where the value comes from, for messages (never the value).</summary>
    string Describe { get; }

    Task<string> GetAsync(CancellationToken cancellationToken);
}

/// <summary>A value known locally: given, or read from a file, a command or the environment when asked for.</summary>
public sealed class LocalToken(Func<string> read, string describe) : ITokenSource
{
    public string Describe => describe;

    public Task<string> GetAsync(CancellationToken cancellationToken) => Task.FromResult(read());
}

/// <summary>A header sent with a request; <see cref="Secret"/> values are redacted from every message.</summary>
public sealed record HttpHeader(string Name, ITokenSource Value, bool Secret = true)
{
    public static HttpHeader Plain(string name, string value) => new(name, new LocalToken(() => value, "the config"), Secret: false);
}
