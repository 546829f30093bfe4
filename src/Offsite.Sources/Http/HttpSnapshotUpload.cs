using System.Net;

namespace Offsite.Sources.Http;

/// <summary>What an upload did: the server's status, the bytes sent, how long it took.</summary>
public sealed record HttpUploadOutcome(string Target, int Status, long Bytes, double Seconds);

/// <summary>
/// Restores a snapshot file into a service by sending it as the request body (Vault:
/// <c>POST /v1/sys/storage/raft/snapshot[-force]</c>, Consul: <c>PUT /v1/snapshot</c>, Nomad:
/// <c>PUT /v1/operator/snapshot</c>), streamed from the repository with its exact length; a
/// status other than 2xx, or a broken connection, is a SourceFailed error naming the target.
/// </summary>
public static class HttpSnapshotUpload
{
    public static async Task<HttpUploadOutcome> SendAsync(HttpSnapshotRequest target, SnapshotFile file, TimeProvider clock, CancellationToken cancellationToken)
    {
        string what = $"{target.Service} restore target {target.SourceName}";
        var redactor = new Redactor();
        long started = clock.GetTimestamp();
        using var client = HttpClients.Create(target.Tls, what);
        using var content = new SnapshotFileContent(file);
        HttpResponseMessage response;
        try
        {
            response = await target.SendAsync(client, content, what, redactor, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw HttpFailures.FromException(e, what, redactor);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await HttpFailures.FromResponseAsync(response, what, redactor, cancellationToken).ConfigureAwait(false);
            }
            return new HttpUploadOutcome(target.SourceName, (int)response.StatusCode, file.Size, clock.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>The snapshot file as a request body of known length, read from the repository while it is sent.</summary>
    private sealed class SnapshotFileContent(SnapshotFile file) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            file.CopyToAsync(stream, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = file.Size;
            return true;
        }
    }
}
