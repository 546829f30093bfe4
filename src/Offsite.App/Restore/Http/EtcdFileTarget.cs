using Offsite.Core.Content;
using Offsite.Core.Snapshots;
using Offsite.Sources.Http;

namespace Offsite.App.Restore.Http;

/// <summary>
/// etcd's restore target: etcd has no API to load a snapshot into a running cluster, so the
/// snapshot file is written (checked against its SHA-256 trailer) to a directory, a file path or
/// standard output (<c>-</c>) for <c>etcdctl snapshot restore</c>. <see cref="RestoreReport.Details"/>
/// is the path written.
/// </summary>
public sealed class EtcdFileTarget(string path, Func<Stream>? standardOutput = null) : IRestoreTarget
{
    public string Path => path;

    public string Display => path == "-" ? "standard output" : path;

    /// <summary>The same target, writing "-" to this stream (the front end owns standard output).</summary>
    public EtcdFileTarget WithStandardOutput(Func<Stream> open) => new(path, open);

    public async Task<RestoreReport> RestoreAsync(Core.Repository.Repository repository, Snapshot snapshot, CancellationToken cancellationToken)
    {
        HttpServiceTarget.CheckKind(snapshot, "etcd", "etcd");
        var file = await SnapshotFile.OpenAsync(new BlobLoader(repository), snapshot, "etcd", cancellationToken).ConfigureAwait(false);
        long started = repository.Runtime.Clock.GetTimestamp();
        var stdout = standardOutput ?? (() => throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.Usage, "etcd restore to standard output (-) is only possible from the command line"));
        string written = await EtcdSnapshotWriter.WriteAsync(file, path, stdout, cancellationToken).ConfigureAwait(false);
        return new RestoreReport(1, 0, file.Size, repository.Runtime.Clock.GetElapsedTime(started).TotalSeconds, [], written);
    }
}
