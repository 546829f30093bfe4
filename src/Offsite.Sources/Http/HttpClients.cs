namespace Offsite.Sources.Http;

/// <summary>
/// HTTP clients for snapshot endpoints: no overall timeout (a raft snapshot of a big cluster takes
/// as long as it takes; a job's <c>timeout:</c> bounds it), a bounded connect, no redirects (a
/// token header must not follow a redirect to another host). The standard proxy variables apply,
/// as they do for the tools' own CLIs.
/// </summary>
public static class HttpClients
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    public static HttpClient Create(HttpTls tls, string what)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = ConnectTimeout,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            SslOptions = tls.ToSslOptions(what),
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
