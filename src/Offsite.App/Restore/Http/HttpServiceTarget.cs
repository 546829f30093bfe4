using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;
using Offsite.Sources.Http;

namespace Offsite.App.Restore.Http;

/// <summary>
/// Restores a snapshot into a running service by sending its one file to the service's restore
/// endpoint (Vault, Consul, Nomad, or any URL). A snapshot tagged as another service's is refused
/// before anything is sent. <see cref="RestoreReport.Details"/> is the <see cref="HttpUploadOutcome"/>.
/// </summary>
public sealed class HttpServiceTarget(HttpSnapshotRequest request) : IRestoreTarget
{
    private static readonly string[] Services = ["vault", "consul", "nomad", "etcd"];

    public HttpSnapshotRequest Request => request;

    public string Display => $"{request.Service} at {HttpSnapshotRequest.DisplayUrl(request.Url)}";

    public async Task<RestoreReport> RestoreAsync(Core.Repository.Repository repository, Snapshot snapshot, CancellationToken cancellationToken)
    {
        CheckKind(snapshot, request.Service, Display);
        var file = await SnapshotFile.OpenAsync(new BlobLoader(repository), snapshot, Display, cancellationToken).ConfigureAwait(false);
        var outcome = await HttpSnapshotUpload.SendAsync(request, file, repository.Runtime.Clock, cancellationToken).ConfigureAwait(false);
        return new RestoreReport(1, 0, outcome.Bytes, outcome.Seconds, [], outcome);
    }

    /// <summary>A Consul snapshot sent to Vault would be refused at best: say so before sending.</summary>
    internal static void CheckKind(Snapshot snapshot, string service, string display)
    {
        if (service == "http") return;
        string? kind = Services.FirstOrDefault(s => snapshot.Tags.Contains(s, StringComparer.Ordinal));
        if (kind is not null && kind != service)
        {
            throw new OffsiteException(ErrorKind.Usage, $"snapshot {snapshot.Id[..8]} ({snapshot.Source}) is a {kind} snapshot; it cannot be restored to {display}");
        }
    }
}
