using System.Runtime.CompilerServices;
using Docker.DotNet;
using Offsite.Core.Errors;
using Offsite.Core.Sources;

namespace Offsite.Sources.Docker;

/// <summary>
/// A named Docker volume as one tree (source <c>docker-volume:NAME</c>). Listing the root asks the
/// daemon for the volume, stops the selected containers, and reads the files from the mountpoint
/// or through a helper container's tar stream (<see cref="VolumeAccess"/>). When the root listing
/// ends (the archiver has read everything below it) or fails, the helper container is removed
/// and the stopped containers are started again.
/// </summary>
public sealed class DockerVolumeSource : ITreeSource
{
    private readonly DockerEndpoint _endpoint;
    private readonly string _volume;
    private readonly VolumeAccess _access;
    private readonly string _helperImage;
    private readonly StopSelection _stop;
    private readonly IReadOnlyList<string> _excluded;
    private ITreeSource? _inner;

    public DockerVolumeSource(DockerEndpoint endpoint, string volume, VolumeAccess access, string? helperImage, StopSelection stop, IReadOnlyList<string> excludedPaths)
    {
        _endpoint = endpoint;
        _volume = volume;
        _access = access;
        _helperImage = helperImage ?? HelperContainer.DefaultImage;
        _stop = stop;
        _excluded = excludedPaths;
        CacheKey = "docker-volume:" + volume;
    }

    public string Subject => $"docker volume '{_volume}'";

    public string CacheKey { get; }

    /// <summary>How the last run read the volume (for messages and tests).</summary>
    public VolumeAccess? UsedAccess { get; private set; }

    /// <summary>The containers the last run stopped and started again.</summary>
    public IReadOnlyList<string> StoppedContainers { get; private set; } = [];

    public async IAsyncEnumerable<SourceEntry> ListRootAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var client = _endpoint.Connect();
        var (inner, helper, stopped) = await PrepareAsync(client, cancellationToken).ConfigureAwait(false);
        bool completed = false;
        try
        {
            _inner = inner;
            await foreach (var entry in inner.ListRootAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return entry;
            }
            completed = true;
        }
        finally
        {
            if (inner is IAsyncDisposable disposable) await disposable.DisposeAsync().ConfigureAwait(false);
            if (helper is not null) await helper.DisposeAsync().ConfigureAwait(false);
            var problems = await stopped.RestartAsync().ConfigureAwait(false);
            if (problems.Count > 0)
            {
                // Replaces a failure in flight too: a service left down is the more urgent news.
                throw new OffsiteException(ErrorKind.SourceFailed, string.Join("; ", problems) + (completed ? "" : " (and the backup itself did not complete)"));
            }
        }
    }

    public IAsyncEnumerable<SourceEntry> ListAsync(SourceEntry directory, CancellationToken cancellationToken) =>
        (_inner ?? throw new InvalidOperationException("list the root first")).ListAsync(directory, cancellationToken);

    public ValueTask<Stream> OpenReadAsync(SourceEntry file, CancellationToken cancellationToken) =>
        (_inner ?? throw new InvalidOperationException("list the root first")).OpenReadAsync(file, cancellationToken);

    private async Task<(ITreeSource Inner, HelperContainer? Helper, StoppedContainers Stopped)> PrepareAsync(DockerClient client, CancellationToken ct)
    {
        string mountpoint;
        try
        {
            mountpoint = (await client.Volumes.InspectAsync(_volume, ct).ConfigureAwait(false)).Mountpoint;
        }
        catch (Exception e) when (DockerFailure.IsDockerError(e))
        {
            throw DockerFailure.For(Subject, e, _endpoint, ErrorKind.SourceFailed, ErrorKind.SourceFailed);
        }
        bool local = _endpoint.IsLocal && mountpoint.Length > 0 && VolumeMountpointTree.IsReadable(mountpoint);
        if (_access == VolumeAccess.Mountpoint && !local)
        {
            throw new OffsiteException(ErrorKind.SourceFailed, $"{Subject}: its mountpoint {mountpoint} cannot be read here (is the daemon at {_endpoint.Display} on this machine, and are we root?); use access: archive");
        }
        var stopped = await ContainerStopper.StopAsync(client, _endpoint, _stop, null, Subject, ct).ConfigureAwait(false);
        StoppedContainers = stopped.Names;
        if (local && _access != VolumeAccess.Archive)
        {
            UsedAccess = VolumeAccess.Mountpoint;
            return (new VolumeMountpointTree(mountpoint, _excluded), null, stopped);
        }
        HelperContainer? helper = null;
        try
        {
            helper = await HelperContainer.CreateAsync(client, _volume, _helperImage, readOnly: true, ct).ConfigureAwait(false);
            UsedAccess = VolumeAccess.Archive;
            return (new VolumeArchiveTree(client, helper, _volume, Subject), helper, stopped);
        }
        catch (Exception e) when (DockerFailure.IsDockerError(e) || e is OffsiteException or OperationCanceledException)
        {
            if (helper is not null) await helper.DisposeAsync().ConfigureAwait(false);
            var problems = await stopped.RestartAsync().ConfigureAwait(false);
            if (e is OperationCanceledException) throw;
            var error = DockerFailure.For(Subject, e, _endpoint, ErrorKind.SourceFailed, ErrorKind.SourceFailed);
            throw problems.Count == 0 ? error : new OffsiteException(ErrorKind.SourceFailed, error.Message + "; " + string.Join("; ", problems), e);
        }
    }
}
