using Docker.DotNet;
using Docker.DotNet.Models;
using Offsite.Core.Errors;

namespace Offsite.Sources.Docker;

/// <summary>
/// Gets a volume ready to receive a restore: created when missing, refused when it already holds
/// files (unless overwriting was asked for), and reached through its mountpoint when that is
/// writable here, else through a helper container's archive endpoint.
/// </summary>
public static class DockerVolumeRestore
{
    /// <summary>Where to write: the mountpoint path, or null for the archive path.</summary>
    public sealed record Prepared(bool Created, string? Mountpoint);

    public static async Task<Prepared> PrepareAsync(DockerEndpoint endpoint, string volume, VolumeAccess access, bool overwrite, string? helperImage, CancellationToken ct)
    {
        string subject = $"docker volume '{volume}'";
        using DockerClient client = endpoint.Connect();
        try
        {
            bool created = false;
            VolumeResponse inspected;
            try
            {
                inspected = await client.Volumes.InspectAsync(volume, ct).ConfigureAwait(false);
            }
            catch (DockerApiException e) when (DockerFailure.IsNotFound(e))
            {
                inspected = await client.Volumes.CreateAsync(new VolumesCreateParameters { Name = volume }, ct).ConfigureAwait(false);
                created = true;
            }
            string mountpoint = inspected.Mountpoint;
            bool local = endpoint.IsLocal && mountpoint.Length > 0 && VolumeMountpointTree.IsReadable(mountpoint);
            if (access == VolumeAccess.Mountpoint && !local)
            {
                throw new OffsiteException(ErrorKind.Io, $"{subject}: its mountpoint {mountpoint} cannot be reached here; use access: archive");
            }
            bool viaMountpoint = local && access != VolumeAccess.Archive;
            if (!created && !overwrite)
            {
                bool empty = viaMountpoint
                    ? Directory.EnumerateFileSystemEntries(mountpoint).Any() == false
                    : await IsEmptyViaArchiveAsync(client, volume, helperImage, ct).ConfigureAwait(false);
                if (!empty)
                {
                    throw new OffsiteException(ErrorKind.Usage, $"{subject} already holds files; restore into a new volume, or pass --overwrite (overwrite: true) to write over them");
                }
            }
            return new Prepared(created, viaMountpoint ? mountpoint : null);
        }
        catch (Exception e) when (DockerFailure.IsDockerError(e))
        {
            throw DockerFailure.For(subject, e, endpoint, ErrorKind.NotFound, ErrorKind.Io);
        }
    }

    /// <summary>Unpacks the tar that <paramref name="writeTar"/> produces into the volume, streamed through a bounded pipe.</summary>
    public static async Task ExtractAsync(DockerEndpoint endpoint, string volume, string? helperImage, Func<Stream, CancellationToken, Task> writeTar, CancellationToken ct)
    {
        string subject = $"docker volume '{volume}'";
        using DockerClient client = endpoint.Connect();
        await using var helper = await HelperContainer.CreateAsync(client, volume, helperImage ?? HelperContainer.DefaultImage, readOnly: false, ct).ConfigureAwait(false);
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(async () =>
        {
            try
            {
                await using (var tar = pipe.Writer.AsStream(leaveOpen: true))
                {
                    await writeTar(tar, stop.Token).ConfigureAwait(false);
                }
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
                throw;
            }
        }, stop.Token);
        try
        {
            await using var body = pipe.Reader.AsStream();
            await client.Containers.ExtractArchiveToContainerAsync(helper.Id, new CopyToContainerParameters { Path = HelperContainer.MountPath }, body, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (DockerFailure.IsDockerError(e))
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await pipe.Reader.CompleteAsync(e).ConfigureAwait(false);
            // The producer's own error (a damaged repository) explains more than the broken upload.
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (Exception other) when (other is OperationCanceledException or InvalidOperationException or IOException)
            {
                // the producer stopped because the upload failed: report the upload's error below
            }
            throw DockerFailure.For(subject, e, endpoint, ErrorKind.NotFound, ErrorKind.Io);
        }
        await producer.ConfigureAwait(false);
    }

    private static async Task<bool> IsEmptyViaArchiveAsync(DockerClient client, string volume, string? helperImage, CancellationToken ct)
    {
        await using var helper = await HelperContainer.CreateAsync(client, volume, helperImage ?? HelperContainer.DefaultImage, readOnly: true, ct).ConfigureAwait(false);
        var response = await client.Containers.GetArchiveFromContainerAsync(helper.Id, new ContainerPathStatParameters { Path = HelperContainer.MountPath }, false, ct).ConfigureAwait(false);
        await using var archive = response.Stream ?? Stream.Null;
        await using var reader = new System.Formats.Tar.TarReader(new BorrowedStream(archive), leaveOpen: true);
        int entries = 0;
        while (entries < 2 && await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is not null)
        {
            entries++;
        }
        return entries < 2; // the volume's root directory itself is always there
    }
}
