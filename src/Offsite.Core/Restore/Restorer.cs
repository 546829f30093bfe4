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
    private readonly Func<BlobId, CancellationToken, Task<byte[]>> _loadTree;
    private readonly Func<BlobId, CancellationToken, Task<byte[]>> _loadData;
    private readonly Func<BlobId, (string Pack, int RawLength)?> _locate;
    private readonly Func<string, IEnumerable<BlobId>, CancellationToken, IDisposable>? _holdPack;
    /// <summary>The restore plan: pack → blob → where in which files it goes, in order of first use.</summary>
    private readonly Dictionary<string, Dictionary<BlobId, List<(PendingFile File, long Offset)>>> _plan = new(StringComparer.Ordinal);
    private readonly List<string> _packOrder = new();
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

    /// <param name="loadTree">loads tree blobs (the walk)</param>
    /// <param name="loadData">loads data blobs (the file writers); separate loaders keep the walk
    /// from evicting the packs the writers are reading</param>
    /// <param name="locate">a blob's pack and plaintext length from the index, or null when no index has it</param>
    /// <param name="holdPack">told which blobs of a pack are about to be loaded, before the first
    /// (so a loader can fetch only those parts of the pack and keep it while they are read); the
    /// lease it returns is disposed after the last; or null</param>
    public Restorer(Func<BlobId, CancellationToken, Task<byte[]>> loadTree, Func<BlobId, CancellationToken, Task<byte[]>> loadData,
        Func<BlobId, (string Pack, int RawLength)?> locate, PathFilter filter, int workers = 2,
        Func<string, IEnumerable<BlobId>, CancellationToken, IDisposable>? holdPack = null)
    {
        _loadTree = loadTree;
        _loadData = loadData;
        _locate = locate;
        _holdPack = holdPack;
        _filter = filter;
        _workers = workers;
    }

    public async Task<RestoreResult> RestoreAsync(BlobId root, string target, CancellationToken cancellationToken)
    {
        byte[] targetPath = PosixPath.FromString(Path.GetFullPath(target));
        PosixFs.MakeDirectories(targetPath);
        // Walk first, then read each pack once and write its blobs wherever they belong. Reading in
        // tree order instead would fetch a pack again for every file whose (deduplicated) content
        // lives in an older pack.
        await WalkAsync(root, targetPath, "", cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(_packOrder, new ParallelOptions { MaxDegreeOfParallelism = _workers, CancellationToken = cancellationToken },
            async (pack, ct) =>
            {
                using var held = _holdPack?.Invoke(pack, _plan[pack].Keys, ct);
                await RestorePackAsync(_plan[pack], ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
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

    private async Task WalkAsync(BlobId treeId, byte[] dir, string display, CancellationToken cancellationToken)
    {
        Tree tree;
        try
        {
            tree = Tree.Parse(await _loadTree(treeId, cancellationToken).ConfigureAwait(false), $"tree {treeId.Short}");
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
                    await WalkAsync(BlobId.Parse(node.Subtree), path, childDisplay, cancellationToken).ConfigureAwait(false);
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
                PlanFile(path, childDisplay, node);
            }
            else
            {
                RestoreSpecial(path, childDisplay, node);
            }
        }
    }

    /// <summary>Records where each of the file's blobs goes; the file is created by its first write.</summary>
    private void PlanFile(byte[] path, string display, Node node)
    {
        var file = new PendingFile(path, display, node);
        try
        {
            RemoveExisting(path);
        }
        catch (PosixException e)
        {
            _result.Fail(display, e.Message);
            return;
        }
        long offset = 0;
        foreach (string hex in node.Content ?? [])
        {
            var id = BlobId.Parse(hex);
            var location = _locate(id);
            // A blob no index knows is still queued: loading it produces the damage report.
            string pack = location?.Pack ?? "";
            if (!_plan.TryGetValue(pack, out var blobs))
            {
                blobs = new Dictionary<BlobId, List<(PendingFile, long)>>();
                _plan[pack] = blobs;
                _packOrder.Add(pack);
            }
            if (!blobs.TryGetValue(id, out var targets))
            {
                targets = new List<(PendingFile, long)>();
                blobs[id] = targets;
            }
            targets.Add((file, offset));
            file.Remaining++;
            offset += location?.RawLength ?? 0;
        }
        file.Size = offset;
        if (file.Remaining == 0)
        {
            Write(file, null, 0, last: true);
        }
    }

    private async Task RestorePackAsync(Dictionary<BlobId, List<(PendingFile File, long Offset)>> blobs, CancellationToken cancellationToken)
    {
        foreach (var (id, targets) in blobs)
        {
            byte[]? data = null;
            try
            {
                data = await _loadData(id, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobDamagedException e)
            {
                // The rest of each file is still worth having; the report says which part is lost.
                foreach (var (file, _) in targets)
                {
                    lock (file) file.Damage ??= e.Message;
                }
            }
            // All-zero blocks become holes: sparse files stay sparse.
            bool hole = data is null || data.AsSpan().IndexOfAnyExcept((byte)0) < 0;
            foreach (var (file, offset) in targets)
            {
                lock (file)
                {
                    Write(file, hole ? null : data, offset, last: --file.Remaining == 0);
                }
            }
        }
    }

    /// <summary>
    /// Writes one blob (null: a hole or a lost blob) into a file; the first write creates it, the last
    /// fixes its length and metadata and reports it. One open per write: most files are one blob.
    /// </summary>
    private void Write(PendingFile file, byte[]? data, long offset, bool last)
    {
        try
        {
            if (data is not null || !file.Created || last)
            {
                using var handle = file.Created ? PosixFs.OpenWrite(file.Path) : PosixFs.CreateFile(file.Path, PrivateFile);
                file.Created = true;
                if (data is not null)
                {
                    RandomAccess.Write(handle, data, offset);
                    file.End = Math.Max(file.End, offset + data.Length);
                }
                if (last && file.End != file.Size)
                {
                    RandomAccess.SetLength(handle, file.Size);
                }
            }
        }
        catch (Exception e) when (e is PosixException or IOException)
        {
            file.Damage ??= e.Message;
        }
        if (!last)
        {
            return;
        }
        if (file.Created)
        {
            ApplyMetadata(file.Path, file.Node, file.Display);
        }
        if (file.Damage is not null)
        {
            _result.Fail(file.Display, $"restored with damaged parts: {file.Damage}");
        }
        else
        {
            _result.AddFile(file.Size);
        }
    }

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

    /// <summary>A regular file being restored: written blob by blob, finished when none remain.</summary>
    private sealed class PendingFile(byte[] path, string display, Node node)
    {
        public byte[] Path { get; } = path;
        public string Display { get; } = display;
        public Node Node { get; } = node;
        public long Size { get; set; }
        public int Remaining { get; set; }
        public string? Damage { get; set; }
        public bool Created { get; set; }
        /// <summary>End of the furthest data written; when it falls short of Size the tail is a hole.</summary>
        public long End { get; set; }
    }
}
