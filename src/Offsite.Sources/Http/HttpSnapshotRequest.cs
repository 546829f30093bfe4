namespace Offsite.Sources.Http;

/// <summary>
/// One HTTP request that moves a snapshot: what to call (method, URL, headers, TLS), how to name
/// it in the repository, and, for etcd, how to decode the body. <see cref="Service"/> and
/// <see cref="SourceName"/> name it in messages; neither ever holds a secret.
/// </summary>
public sealed record HttpSnapshotRequest(
    string Service,
    string SourceName,
    string FileName,
    HttpMethod Method,
    Uri Url,
    IReadOnlyList<HttpHeader> Headers,
    HttpTls Tls)
{
    /// <summary>A request body to send when backing up (etcd wants <c>{}</c>).</summary>
    public string? Body { get; init; }

    /// <summary>Turns the response body into the snapshot bytes (etcd: <see cref="EtcdSnapshotDecoder"/>); null keeps it as it is.</summary>
    public Func<Stream, string, Stream>? Decode { get; init; }

    /// <summary>"vault source vault:127.0.0.1:8200": how errors start.</summary>
    public string What => $"{Service} source {SourceName}";

    /// <summary>Sends the request with its headers resolved; secret values go to <paramref name="redactor"/> first.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpContent? content, string what, Redactor redactor, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(Method, Url) { Content = content };
        foreach (var header in Headers)
        {
            string value;
            try
            {
                value = await header.Value.GetAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Core.Errors.OffsiteException e) when (e.Kind is Core.Errors.ErrorKind.Usage or Core.Errors.ErrorKind.SourceFailed)
            {
                // The line names this source before the failing link of the token chain (an AppRole login, a creds
                // read). A token file or command that fails at run time (the file gone, the command's helper down)
                // fails the source like a refused token does (exit 9, no snapshot), not the command line (exit 2).
                throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.SourceFailed, $"{what}: {e.Message}", e);
            }
            if (header.Secret) redactor.Add(value);
            if (!request.Headers.TryAddWithoutValidation(header.Name, value))
            {
                throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.Usage, $"{what}: header {header.Name} cannot be sent on a request");
            }
        }
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw HttpFailures.FromException(e, $"{what} ({Method} {DisplayUrl(Url)})", redactor);
        }
    }

    /// <summary>A URL without user info or query (either may carry a credential).</summary>
    public static string DisplayUrl(Uri url) => url.GetLeftPart(UriPartial.Path).Replace(url.UserInfo + "@", "", StringComparison.Ordinal);
}
