using Offsite.App.Dump;
using Offsite.Core.Content;
using Offsite.Core.Restore;
using Offsite.Core.Snapshots;
using Offsite.Sources.Docker;

namespace Offsite.App.Restore.Docker;

/// <summary>
/// Restores a snapshot's tree into a Docker volume, created when missing. A volume that already
/// holds files is refused unless <c>overwrite</c> was asked for. Written through the mountpoint
/// when it is reachable here (the directory restorer, with ownership and hard links), else as a
/// tar stream through a helper container. <see cref="RestoreReport.Details"/> is the
/// <see cref="Core.Restore.RestoreResult"/> (mountpoint) or null (archive).
/// </summary>
public sealed class NamedVolumeTarget(DockerEndpoint endpoint, string volume, VolumeAccess access, bool overwrite, string? helperImage) : IRestoreTarget
{
    public string Display => $"docker volume '{volume}'";

    /// <summary>Set after a restore: whether the volume was created, and how it was written.</summary>
    public DockerVolumeRestore.Prepared? Prepared { get; private set; }

    public async Task<RestoreReport> RestoreAsync(Core.Repository.Repository repo, Snapshot snapshot, CancellationToken cancellationToken)
    {
        Prepared = await DockerVolumeRestore.PrepareAsync(endpoint, volume, access, overwrite, helperImage, cancellationToken).ConfigureAwait(false);
        if (Prepared.Mountpoint is { } mountpoint)
        {
            return await new DirectoryTarget(mountpoint, [], OverwritePolicy.Always).RestoreAsync(repo, snapshot, cancellationToken).ConfigureAwait(false);
        }
        long started = repo.Runtime.Clock.GetTimestamp();
        (long Files, long Directories, long Bytes) counts = default;
        var loader = new BlobLoader(repo, maxCachedPacks: 2);
        await DockerVolumeRestore.ExtractAsync(endpoint, volume, helperImage,
            async (tar, ct) => counts = await SnapshotTar.WriteAsync(loader, snapshot.Tree, tar, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return new RestoreReport(counts.Files, counts.Directories, counts.Bytes, repo.Runtime.Clock.GetElapsedTime(started).TotalSeconds, []);
    }
}
