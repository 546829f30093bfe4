using System.Formats.Tar;
using System.Runtime.CompilerServices;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Offsite.Core.Errors;
using Offsite.Core.Sources;
using Offsite.Core.Trees;

namespace Offsite.Sources.Docker;

/// <summary>
/// A volume read as one tar stream from the Engine API's archive endpoint of a helper container
/// that mounts it (the daemon is remote, or its data directory is not readable here). The tar is
/// read once, front to back: Docker writes it depth first in name order, each directory followed
/// by everything below it, which is the order the archiver asks for entries and opens files in,
/// so nothing is buffered. A file the files cache already knows is skipped in the stream.
/// A hard link's data is fetched by a second, one-file archive request for its target.
/// </summary>
internal sealed class VolumeArchiveTree : ITreeSource, IAsyncDisposable
{
    private readonly DockerClient _client;
    private readonly HelperContainer _helper;
    private readonly string _subject;
    private Stream? _archive;
    private TarReader? _reader;
    private TarEntry? _pending;
    private bool _ended;

    public VolumeArchiveTree(DockerClient client, HelperContainer helper, string volume, string subject)
    {
        _client = client;
        _helper = helper;
        _subject = subject;
        CacheKey = "docker-volume-archive:" + volume;
    }

    public string CacheKey { get; }

    public async IAsyncEnumerable<SourceEntry> ListRootAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _archive = await OpenArchiveAsync(cancellationToken).ConfigureAwait(false);
        _reader = new TarReader(new BorrowedStream(_archive), leaveOpen: true);
        await foreach (var entry in ListUnderAsync("", cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    public IAsyncEnumerable<SourceEntry> ListAsync(SourceEntry directory, CancellationToken cancellationToken) =>
        directory.Handle is ArchiveDirectory d ? ListUnderAsync(d.Prefix, cancellationToken) : throw new ArgumentException("not an entry of this source", nameof(directory));

    public async ValueTask<Stream> OpenReadAsync(SourceEntry file, CancellationToken cancellationToken)
    {
        switch (file.Handle)
        {
            case ArchiveFile { Entry.DataStream: { } data }:
                return new BorrowedStream(data);
            case ArchiveFile:
                return Stream.Null;
            case ArchiveHardLink link:
                return await OpenLinkTargetAsync(link.TargetPath, cancellationToken).ConfigureAwait(false);
            default:
                throw new ArgumentException("not a file of this source", nameof(file));
        }
    }

    private async IAsyncEnumerable<SourceEntry> ListUnderAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await PeekAsync(cancellationToken).ConfigureAwait(false) is { } entry)
        {
            string? path = RelativePath(entry.Name);
            if (path is null)
            {
                _pending = null; // the volume's root directory itself
                continue;
            }
            if (!path.StartsWith(prefix, StringComparison.Ordinal)) yield break; // belongs to a directory further up
            string name = path[prefix.Length..];
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
            {
                throw new OffsiteException(ErrorKind.SourceFailed, $"{_subject}: the archive lists '{path}' outside its directory's run; cannot read it in one pass");
            }
            _pending = null;
            yield return ToSourceEntry(entry, path, name);
        }
    }

    private async Task<Stream> OpenArchiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.Containers.GetArchiveFromContainerAsync(_helper.Id, new ContainerPathStatParameters { Path = HelperContainer.MountPath }, false, cancellationToken).ConfigureAwait(false);
            return response.Stream ?? throw new OffsiteException(ErrorKind.SourceFailed, $"{_subject}: the Docker daemon returned no archive");
        }
        catch (Exception e) when (DockerFailure.IsDockerError(e))
        {
            throw new OffsiteException(ErrorKind.SourceFailed, $"{_subject}: reading the volume through helper container {_helper.Id[..12]}: {DockerFailure.Cause(e)}", e);
        }
    }

    /// <summary>The next header, read once; file data not read by the archiver is skipped by the reader.</summary>
    private async ValueTask<TarEntry?> PeekAsync(CancellationToken cancellationToken)
    {
        if (_pending is null && !_ended)
        {
            try
            {
                _pending = await _reader!.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or FormatException)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, $"{_subject}: the volume's archive stream broke: {e.Message}", e);
            }
            _ended = _pending is null;
        }
        return _pending;
    }

    /// <summary>"offsite-volume/a/b" → "a/b"; the root entry itself → null.</summary>
    private static string? RelativePath(string entryName)
    {
        string trimmed = entryName.TrimEnd('/');
        if (trimmed.StartsWith("./", StringComparison.Ordinal)) trimmed = trimmed[2..];
        int slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? null : trimmed[(slash + 1)..];
    }

    private static SourceEntry ToSourceEntry(TarEntry entry, string path, string name)
    {
        var node = new Node
        {
            RawName = Encoding.UTF8.GetBytes(name),
            Type = entry.EntryType switch
            {
                TarEntryType.Directory => NodeType.Directory,
                TarEntryType.SymbolicLink => NodeType.Symlink,
                TarEntryType.Fifo => NodeType.Fifo,
                TarEntryType.CharacterDevice => NodeType.CharDevice,
                TarEntryType.BlockDevice => NodeType.BlockDevice,
                _ => NodeType.File,
            },
            Mode = (uint)entry.Mode & 0xFFF,
            Uid = (uint)entry.Uid,
            Gid = (uint)entry.Gid,
            MtimeNs = (entry.ModificationTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100,
        };
        if (entry is PosixTarEntry posix)
        {
            node.User = posix.UserName is { Length: > 0 } u ? u : null;
            node.Group = posix.GroupName is { Length: > 0 } g ? g : null;
            if (node.Type is NodeType.CharDevice or NodeType.BlockDevice)
            {
                node.Rdev = MakeDevice((uint)posix.DeviceMajor, (uint)posix.DeviceMinor);
            }
        }
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                return new SourceEntry(node, default, null, new ArchiveDirectory(path + "/"));
            case TarEntryType.SymbolicLink:
                node.LinkTarget = entry.LinkName;
                return new SourceEntry(node, default, null);
            case TarEntryType.HardLink:
                // Its data is the target's: read it again by name (restored as a copy, not a link).
                return new SourceEntry(node, default, null, new ArchiveHardLink(RelativePath(entry.LinkName) ?? entry.LinkName));
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                node.Size = entry.Length;
                return new SourceEntry(node, new Core.Sources.FileFingerprint(node.MtimeNs, 0, entry.Length, 0), "/" + path, new ArchiveFile(entry));
            default:
                return new SourceEntry(node, default, null);
        }
    }

    /// <summary>Linux's makedev(3).</summary>
    private static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    private async Task<Stream> OpenLinkTargetAsync(string target, CancellationToken cancellationToken)
    {
        var response = await _client.Containers.GetArchiveFromContainerAsync(_helper.Id, new ContainerPathStatParameters { Path = HelperContainer.MountPath + "/" + target }, false, cancellationToken).ConfigureAwait(false);
        var archive = response.Stream ?? throw new SourceEntryException(target, "the Docker daemon returned no archive for the hard link's target");
        var reader = new TarReader(new OwningStream(archive, archive), leaveOpen: false);
        var entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        if (entry?.DataStream is not { } data)
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw new SourceEntryException(target, "the hard link's target has no data in the archive");
        }
        return new OwningStream(data, reader);
    }

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null) await _reader.DisposeAsync().ConfigureAwait(false);
        if (_archive is not null) await _archive.DisposeAsync().ConfigureAwait(false);
    }

    private sealed record ArchiveDirectory(string Prefix);
    private sealed record ArchiveFile(TarEntry Entry);
    private sealed record ArchiveHardLink(string TargetPath);
}
