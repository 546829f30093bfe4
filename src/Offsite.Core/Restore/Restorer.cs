using System.Threading.Channels;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Trees;
using Offsite.Posix;

namespace Offsite.Core.Restore;

/// <summary>
/// Recreates a snapshot tree under a target directory: contents, modes, owners (as root), mtimes,
/// symlinks, hard links, FIFOs, devices (as root), holes for all-zero blocks. Damage never stops
/// it: every file that can be restored intact is, and each one that cannot is reported.
/// </summary>
public sealed class Restorer
{
    private readonly Func<BlobId, CancellationToken, Task<byte[]>> _loadBlob;
    private readonly PathFilter _filter;
    private readonly bool _restoreOwners = PosixFs.IsRoot;
    private readonly Dictionary<(ulong, ulong), byte[]> _hardLinks = new();
    private readonly List<(byte[] Path, string Display, byte[] Target)> _laterLinks = new();
    private readonly List<(byte[] Path, Node Node)> _directories = new();
    private readonly RestoreResult _result = new();
    private readonly int _workers;
    private const uint PrivateDir = 0x1C0;     // 0700 until the real mode is applied at the end
    private const uint PrivateFile = 0x180;    // 0600 while contents are written
    private const uint PermissionBits = 0x1FF; // 0777

    public Restorer(Func<BlobId, CancellationToken, Task<byte[]>> loadBlob, PathFilter filter, int workers = 2)
    {
        _loadBlob = loadBlob;
        _filter = filter;
        _workers = workers;
    }

    public async Task<RestoreResult> RestoreAsync(BlobId root, string target, CancellationToken cancellationToken)
    {
        byte[] targetPath = PosixPath.FromString(Path.GetFullPath(target));
        PosixFs.MakeDirectories(targetPath);
        var files = Channel.CreateBounded<FileJob>(64);
        var workers = Enumerable.Range(0, _workers).Select(_ => Task.Run(async () =>
        {
            await foreach (var job in files.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await RestoreFileAsync(job, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken)).ToArray();
        try
        {
            await WalkAsync(root, targetPath, "", files.Writer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            files.Writer.TryComplete();
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        foreach (var (path, display, linkTarget) in _laterLinks)
        {
            try
            {
                RemoveExisting(path);
                PosixFs.Link(linkTarget, path);
                _result.AddFile(0);
            }
            catch (PosixException e)
            {
                _result.Fail(display, $"hard link not restored: {e.Message}");
            }
        }
        // Directory metadata last and deepest first: writing into a directory changes its mtime.
        for (int i = _directories.Count - 1; i >= 0; i--)
        {
            var (path, node) = _directories[i];
            ApplyMetadata(path, node, PosixPath.ToDisplay(path));
        }
        return _result;
    }

    private async Task WalkAsync(BlobId treeId, byte[] dir, string display, ChannelWriter<FileJob> files, CancellationToken cancellationToken)
    {
        Tree tree;
        try
        {
            tree = Tree.Parse(await _loadBlob(treeId, cancellationToken).ConfigureAwait(false), $"tree {treeId.Short}");
        }
        catch (OffsiteException e) when (e.Kind == ErrorKind.RepositoryDamaged)
        {
            _result.Fail(display.Length == 0 ? "/" : display, $"directory contents lost: {e.Message}");
            return;
        }
        foreach (var node in tree.Nodes)
        {
            byte[] name = node.RawName;
            if (name.Length == 0 || name.AsSpan().IndexOf((byte)'/') >= 0 || name is [(byte)'.'] || name is [(byte)'.', (byte)'.'])
            {
                // A crafted tree must not write outside the target.
                _result.Fail(display + "/" + node.DisplayName, "invalid name in snapshot; skipped");
                continue;
            }
            string childDisplay = display + "/" + node.DisplayName;
            byte[] path = PosixPath.Join(dir, name);
            bool included = _filter.Includes(childDisplay);
            if (node.Type == NodeType.Directory)
            {
                if (!included && !_filter.MayIncludeBelow(childDisplay)) continue;
                try
                {
                    PosixFs.MakeDirectory(path, PrivateDir, existOk: true);
                }
                catch (PosixException e)
                {
                    _result.Fail(childDisplay, e.Message);
                    continue;
                }
                _directories.Add((path, node));
                _result.AddDirectory();
                if (node.Subtree is not null)
                {
                    await WalkAsync(BlobId.Parse(node.Subtree), path, childDisplay, files, cancellationToken).ConfigureAwait(false);
                }
                continue;
            }
            if (!included) continue;
            if (node.Type == NodeType.File)
            {
                if (node.Inode is { } ino && node.Device is { } dev)
                {
                    // Hard links are decided here, in tree order, so the first path is always the one written.
                    if (_hardLinks.TryGetValue((dev, ino), out byte[]? first))
                    {
                        // Linked after all files are written, so the first name surely exists.
                        _laterLinks.Add((path, childDisplay, first));
                        continue;
                    }
                    _hardLinks[(dev, ino)] = path;
                }
                await files.WriteAsync(new FileJob(path, childDisplay, node), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                RestoreSpecial(path, childDisplay, node);
            }
        }
    }

    private async Task RestoreFileAsync(FileJob job, CancellationToken cancellationToken)
    {
        var (path, display, node) = job;
        try
        {
            RemoveExisting(path);
            long written = 0;
            string? damage = null;
            using (var handle = PosixFs.CreateFile(path, PrivateFile))
            {
                foreach (string hex in node.Content ?? [])
                {
                    byte[] data;
                    try
                    {
                        data = await _loadBlob(BlobId.Parse(hex), cancellationToken).ConfigureAwait(false);
                    }
                    catch (BlobDamagedException e)
                    {
                        // Keep going: the rest of the file is still worth having, and the report says which part is lost.
                        damage ??= e.Message;
                        written += SizeHint(node, hex);
                        continue;
                    }
                    // All-zero blocks become holes: sparse files stay sparse.
                    if (data.AsSpan().IndexOfAnyExcept((byte)0) >= 0)
                    {
                        await RandomAccess.WriteAsync(handle, data, written, cancellationToken).ConfigureAwait(false);
                    }
                    written += data.Length;
                }
                RandomAccess.SetLength(handle, written);
            }
            ApplyMetadata(path, node, display);
            if (damage is not null)
            {
                _result.Fail(display, $"restored with damaged parts: {damage}");
            }
            else
            {
                _result.AddFile(written);
            }
        }
        catch (PosixException e)
        {
            _result.Fail(display, e.Message);
        }
        catch (IOException e)
        {
            _result.Fail(display, e.Message);
        }
    }

    // Size of a lost blob is unknown without the index; keep offsets of later data right when possible.
    private static long SizeHint(Node node, string hex) => node.Content is { Count: 1 } ? node.Size : 0;

    private void RestoreSpecial(byte[] path, string display, Node node)
    {
        try
        {
            RemoveExisting(path);
            switch (node.Type)
            {
                case NodeType.Symlink:
                    PosixFs.Symlink(node.RawLinkTarget, path);
                    break;
                case NodeType.Fifo:
                    PosixFs.MakeFifo(path, node.Mode & PermissionBits);
                    break;
                case NodeType.CharDevice or NodeType.BlockDevice when _restoreOwners:
                    PosixFs.MakeDevice(path, node.Type == NodeType.CharDevice ? PosixFileType.CharDevice : PosixFileType.BlockDevice, node.Mode & PermissionBits, node.Rdev ?? 0);
                    break;
                case NodeType.CharDevice or NodeType.BlockDevice:
                    _result.Fail(display, "device nodes can only be restored as root");
                    return;
                case NodeType.Socket:
                    return; // sockets belong to a running process; nothing to restore
            }
            ApplyMetadata(path, node, display);
            _result.AddFile(0);
        }
        catch (PosixException e)
        {
            _result.Fail(display, e.Message);
        }
    }

    private static void RemoveExisting(byte[] path)
    {
        if (PosixFs.Exists(path) && PosixFs.LStat(path).Type != PosixFileType.Directory)
        {
            PosixFs.Unlink(path);
        }
    }

    private void ApplyMetadata(byte[] path, Node node, string display)
    {
        try
        {
            if (_restoreOwners)
            {
                // By name when the name exists here (like tar), else by number.
                uint uid = (node.User is not null ? PosixFs.LookupUid(node.User) : null) ?? node.Uid;
                uint gid = (node.Group is not null ? PosixFs.LookupGid(node.Group) : null) ?? node.Gid;
                PosixFs.LChown(path, uid, gid);
            }
            if (node.Type != NodeType.Symlink)
            {
                // After chown: changing the owner clears setuid/setgid.
                PosixFs.Chmod(path, node.Mode);
            }
            PosixFs.SetTimes(path, node.MtimeNs, node.MtimeNs);
        }
        catch (PosixException e)
        {
            _result.Fail(display, $"metadata not restored: {e.Message}");
        }
    }

    /// <summary>A file whose contents a worker writes.</summary>
    private sealed record FileJob(byte[] Path, string Display, Node Node);
}
