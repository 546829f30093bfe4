using System.Runtime.CompilerServices;
using Offsite.Core.Sources;
using Offsite.Core.Trees;
using Offsite.Posix;
using Offsite.Sources.Files;

namespace Offsite.Sources.Docker;

/// <summary>
/// A volume read straight from its mountpoint (the daemon is local and its data directory is
/// readable here): the mountpoint's contents become the snapshot's root, read like any local
/// directory, with inode and ctime in the fingerprints so unchanged files are not read again.
/// </summary>
internal sealed class VolumeMountpointTree : ITreeSource
{
    private readonly LocalDirectorySource _files;
    private readonly byte[] _mountpoint;

    public VolumeMountpointTree(string mountpoint, IEnumerable<string> excludedPaths)
    {
        _files = new LocalDirectorySource([mountpoint], excludedPaths);
        _mountpoint = PosixPath.FromString(mountpoint);
        CacheKey = _files.CacheKey;
    }

    public string CacheKey { get; }

    /// <summary>True when this process can list <paramref name="mountpoint"/> (root, or a rootless daemon's own user).</summary>
    public static bool IsReadable(string mountpoint)
    {
        try
        {
            PosixFs.ReadDirectory(PosixPath.FromString(mountpoint));
            return true;
        }
        catch (PosixException)
        {
            return false;
        }
    }

    public async IAsyncEnumerable<SourceEntry> ListRootAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var root = new SourceEntry(new Node { Type = NodeType.Directory, RawName = [] }, default, null, _mountpoint);
        await foreach (var entry in _files.ListAsync(root, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    public IAsyncEnumerable<SourceEntry> ListAsync(SourceEntry directory, CancellationToken cancellationToken) => _files.ListAsync(directory, cancellationToken);

    public ValueTask<Stream> OpenReadAsync(SourceEntry file, CancellationToken cancellationToken) => _files.OpenReadAsync(file, cancellationToken);
}
