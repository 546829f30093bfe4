using Offsite.Core.Errors;
using Offsite.Core.Sources;

namespace Offsite.Sources.Http;

/// <summary>
/// A snapshot fetched over HTTP as one stream (Vault, Consul and Nomad raft snapshots, etcd's
/// maintenance snapshot, any URL): the response body goes straight into the repository's chunker.
/// An error status, a refused connection, a body cut short or (etcd) a failed integrity check
/// fails the source: no snapshot is written.
/// </summary>
public sealed class HttpStreamSource(HttpSnapshotRequest request) : IStreamSource
{
    public HttpSnapshotRequest Request => request;

    public Task<IReadOnlyList<IStreamItem>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<IStreamItem>>([new Item(request)]);

    private sealed class Item(HttpSnapshotRequest request) : IStreamItem
    {
        public string SourceName => request.SourceName;
        public string FileName => request.FileName;
        public IReadOnlyList<string> Tags { get; } = [request.Service];

        public async Task<SourceStream> OpenAsync(CancellationToken cancellationToken)
        {
            var redactor = new Redactor();
            string what = request.What;
            var client = HttpClients.Create(request.Tls, what);
            HttpResponseMessage? response = null;
            try
            {
                var body = request.Body is null ? null : new StringContent(request.Body, System.Text.Encoding.UTF8, "application/json");
                response = await request.SendAsync(client, body, what, redactor, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw await HttpFailures.FromResponseAsync(response, what, redactor, cancellationToken).ConfigureAwait(false);
                }
                var raw = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var checkedBody = new ResponseBodyStream(raw, response.Content.Headers.ContentLength, what, redactor);
                var content = request.Decode is { } decode ? decode(checkedBody, what) : checkedBody;
                var running = new Running(client, response, checkedBody, content, what);
                client = null;
                response = null;
                return running;
            }
            finally
            {
                response?.Dispose();
                client?.Dispose();
            }
        }
    }

    private sealed class Running(HttpClient client, HttpResponseMessage response, ResponseBodyStream body, Stream content, string what) : SourceStream
    {
        public override Stream Content => content;

        public override Task CompleteAsync(CancellationToken cancellationToken)
        {
            // The reader stops at the end of Content; a decoder that stopped early would leave body unread.
            if (!body.Ended)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, $"{what}: the response was not read to its end ({body.BytesRead} bytes read); no snapshot was written");
            }
            return Task.CompletedTask;
        }

        protected override async ValueTask DisposeAsyncCore()
        {
            await content.DisposeAsync().ConfigureAwait(false);
            await body.DisposeAsync().ConfigureAwait(false);
            response.Dispose();
            client.Dispose();
        }
    }
}
