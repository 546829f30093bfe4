using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Trees;
using Offsite.Posix;

namespace Offsite.Core.Restore;

/// <summary>
/// Recreates a snapshot tree under a target directory: contents, modes, owners (as root), mtimes,
/// symlinks, hard links, FIFOs, devices (as root), holes for all-zero blocks. Damage never stops
/// it: every file that can be restored intact is, and each one that cannot is reported with the byte
/// ranges lost. A file is written under <c>NAME.offsite-partial</c> and renamed to its real name only
/// once complete, so nothing under a real name is ever partial: a damaged file keeps its intact ranges
/// under the partial name (holes where data was lost). A failing target (disk full) stops the restore
/// with <see cref="ErrorKind.Io"/> and removes the files it had not finished.
/// </summary>
public sealed class Restorer
{
    private readonly Func<BlobId, CancellationToken, Task<Tree>> _loadTree;
    private readonly Func<string, IReadOnlyCollection<BlobId>, BlobLoader.LoanVisitor, CancellationToken, Task> _readPack;
    private readonly Func<BlobId, (string Pack, int RawLength)?> _locate;
    private readonly ExistingEntryCheck? _existing;
    /// <summary>The restore plan: pack → where each of its blobs goes, packs in order of first use.</summary>
    private readonly Dictionary<string, List<Placement>> _plan = new(StringComparer.Ordinal);
    private readonly List<string> _packOrder = new();
    private readonly PathFilter _filter;
    private readonly bool _restoreOwners = PosixFs.IsRoot;
    /// <summary>Suffix of a file while it is written, and of a damaged one's intact parts.</summary>
    public const string PartialSuffix = ".offsite-partial";
    private readonly Dictionary<(ulong, ulong), PendingFile> _hardLinks = new();
    private readonly List<(byte[] Path, string Display, PendingFile Target, bool Fresh)> _laterLinks = new();
    /// <summary>Files created under their partial name and not finished yet: removed when the target fails.</summary>
    private readonly HashSet<PendingFile> _unfinished = new();
    /// <summary>The first failure of the target as a whole; set once, then every writer stops.</summary>
    private Exception? _targetFailure;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(byte[] Path, EntryMetadata Metadata)> _directories = new();
    /// <summary>The directories from the root to where the walk is.</summary>
    private readonly List<DirectoryOnTheWay> _onTheWay = new();
    private readonly RestoreResult _result = new();
    /// <summary>The target directory was made by this restore, so nothing was in it.</summary>
    private bool _targetFresh;
    private readonly int _workers;
    private readonly int _planLimit;
    /// <summary>Blob placements in the plan now: the plan is carried out and emptied when it reaches the limit.</summary>
    private int _planned;
    /// <summary>Where a display path starts in a target path: the slash after the target directory.</summary>
    private int _displayStart;
    /// <summary>One string per user and group name, not one per file of the plan.</summary>
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    /// <summary>The blobs of the file being planned (reused: one file at a time is planned).</summary>
    private readonly List<(BlobId Id, string Pack, int Length)> _located = new();
    private const uint PrivateDir = 0x1C0;     // 0700 until the real mode is applied at the end
    private const uint PrivateFile = 0x180;    // 0600 while contents are written
    private const uint PermissionBits = 0x1FF; // 0777

    /// <param name="loadTree">loads tree blobs (the walk)</param>
    /// <param name="readPack">hands each of the given blobs of a pack to the visitor once, on loan
    /// (<see cref="BlobLoader.ReadPackAsync"/>: streamed in the pack's order, or a few ranges of it);
    /// a loader of its own keeps the walk from evicting the packs the writers are reading</param>
    /// <param name="locate">a blob's pack and plaintext length from the index, or null when no index has it</param>
    /// <param name="existing">what to do with entries already at the target (null: replace them all, uncounted)</param>
    /// <param name="planLimit">blob placements planned before the plan is carried out (see <see cref="DefaultPlanLimit"/>)</param>
    public Restorer(Func<BlobId, CancellationToken, Task<Tree>> loadTree,
        Func<string, IReadOnlyCollection<BlobId>, BlobLoader.LoanVisitor, CancellationToken, Task> readPack,
        Func<BlobId, (string Pack, int RawLength)?> locate, PathFilter filter, int workers = 2, ExistingEntryCheck? existing = null,
        int planLimit = DefaultPlanLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(planLimit, 1);
        _planLimit = planLimit;
        _existing = existing;
        _loadTree = loadTree;
        _readPack = readPack;
        _locate = locate;
        _filter = filter;
        _workers = workers;
    }

    /// <summary>
    /// Blob placements (one per blob of each file) the plan holds before it is carried out. The plan
    /// costs a few hundred bytes per file, so an unbounded one grows with the snapshot (issue 16);
    /// carried out every 50,000 placements it stays under ~30 MiB. The price: a pack whose blobs are
    /// needed on both sides of a cut is read once per side, a few extra reads per cut.
    /// </summary>
    public const int DefaultPlanLimit = 50_000;

    public async Task<RestoreResult> RestoreAsync(BlobId root, string target, CancellationToken cancellationToken)
    {
        byte[] targetPath = PosixPath.FromString(Path.GetFullPath(target));
        _targetFresh = !PosixFs.Exists(targetPath);
        _displayStart = PosixPath.Join(targetPath, "x"u8).Length - 2;
        PosixFs.MakeDirectories(targetPath);
        // Walk first, then read each pack once and write its blobs wherever they belong. Reading in
        // tree order instead would fetch a pack again for every file whose (deduplicated) content
        // lives in an older pack.
        using var stopOrCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        try
        {
            await WalkAsync(root, targetPath, "", stopOrCancel.Token).ConfigureAwait(false);
            await CarryOutPlanAsync(stopOrCancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_targetFailure is not null && !cancellationToken.IsCancellationRequested)
        {
            // Stopped by a target failure: reported below.
        }
        if (_targetFailure is not null)
        {
            RemoveUnfinished();
            throw TargetFailure.Describe(_targetFailure, _result.Files, _result.Bytes, PosixPath.ToDisplay(targetPath));
        }
        foreach (var (path, display, first, fresh) in _laterLinks)
        {
            if (!first.Completed)
            {
                _result.Fail(display, $"hard link not restored: the file it links to ({first.Display}) was not restored intact");
                continue;
            }
            try
            {
                if (!fresh)
                {
                    if (KeepsExisting(path, display, first.LinkNode!)) continue;
                    RemoveExisting(path);
                }
                PosixFs.Link(first.Path, path);
                _result.AddFile(0);
            }
            catch (PosixException e) when (TargetFailure.Is(e))
            {
                throw TargetFailure.Describe(e, _result.Files, _result.Bytes, PosixPath.ToDisplay(targetPath));
            }
            catch (PosixException e)
            {
                _result.Fail(display, $"hard link not restored: {e.Message}");
            }
        }
        // Directory metadata last and deepest first: writing into a directory changes its mtime.
        for (int i = _directories.Count - 1; i >= 0; i--)
        {
            var (path, metadata) = _directories[i];
            ApplyMetadata(path, metadata, PosixPath.ToDisplay(path));
        }
        return _result;
    }

    /// <summary>Reads each pack of the plan once, writes its blobs into every file that needs them, and empties the plan.</summary>
    private async Task CarryOutPlanAsync(CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(_packOrder, new ParallelOptions { MaxDegreeOfParallelism = _workers, CancellationToken = cancellationToken },
            async (pack, ct) => await RestorePackAsync(pack, _plan[pack], ct).ConfigureAwait(false)).ConfigureAwait(false);
        _plan.Clear();
        _packOrder.Clear();
        _planned = 0;
    }

    private async Task WalkAsync(BlobId treeId, byte[] dir, string display, CancellationToken cancellationToken)
    {
        Tree tree;
        try
        {
            tree = await _loadTree(treeId, cancellationToken).ConfigureAwait(false);
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
                // A directory on the way to an include is made only once something below it is restored.
                _onTheWay.Add(new DirectoryOnTheWay(path, childDisplay, node));
                if (included && !MakeDirectoriesOnTheWay())
                {
                    _onTheWay.RemoveAt(_onTheWay.Count - 1);
                    if (_targetFailure is not null) return;
                    continue;
                }
                if (node.Subtree is not null)
                {
                    await WalkAsync(BlobId.Parse(node.Subtree), path, childDisplay, cancellationToken).ConfigureAwait(false);
                }
                _onTheWay.RemoveAt(_onTheWay.Count - 1);
                continue;
            }
            if (!included) continue;
            if (!MakeDirectoriesOnTheWay())
            {
                if (_targetFailure is not null) return;
                continue;
            }
            if (node.Type == NodeType.File)
            {
                // Hard links are decided here, in tree order, so the first path is always the one written.
                if (node.Inode is { } ino && node.Device is { } dev && _hardLinks.TryGetValue((dev, ino), out var first))
                {
                    // Linked after all files are written, so the first name exists if it was restored.
                    _laterLinks.Add((path, childDisplay, first, InFreshDirectory));
                    continue;
                }
                if (PlanFile(path, childDisplay, node) is { } planned && node.Inode is { } inode && node.Device is { } device)
                {
                    _hardLinks[(device, inode)] = planned;
                }
                if (_planned >= _planLimit)
                {
                    // Between files: every planned file is complete when the plan has been carried out.
                    await CarryOutPlanAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                RestoreSpecial(path, childDisplay, node);
            }
        }
    }

    /// <summary>
    /// Makes the directories entered so far that do not exist yet, outermost first. False when one cannot be made:
    /// the failure is recorded (or the target failed as a whole, which stops the restore).
    /// </summary>
    private bool MakeDirectoriesOnTheWay()
    {
        _result.Matched = true;
        foreach (var dir in _onTheWay)
        {
            if (dir.Made) continue;
            try
            {
                dir.Fresh = PosixFs.MakeDirectory(dir.Path, PrivateDir, existOk: true);
            }
            catch (PosixException e) when (TargetFailure.Is(e))
            {
                StopOnTargetFailure(e);
                return false;
            }
            catch (PosixException e)
            {
                _result.Fail(dir.Display, e.Message);
                return false;
            }
            dir.Made = true;
            _directories.Add((dir.Path, Metadata(dir.Node)));
            _result.AddDirectory();
        }
        return true;
    }

    /// <summary>A directory the walk is in; <see cref="Made"/> once it exists in the target.</summary>
    private sealed class DirectoryOnTheWay(byte[] path, string display, Node node)
    {
        public byte[] Path { get; } = path;
        public string Display { get; } = display;
        public Node Node { get; } = node;
        public bool Made { get; set; }
        /// <summary>Made by this restore: it was empty, so what goes into it needs no check for an existing entry.</summary>
        public bool Fresh { get; set; }
    }

    /// <summary>
    /// Whether the directory the walk is in was made empty by this restore. Its entries then skip the
    /// overwrite check and the removal of what was there (an lstat or two per file); a name that is
    /// taken anyway (a tree listing a name twice) is still handled when the file is created.
    /// </summary>
    private bool InFreshDirectory => _onTheWay.Count == 0 ? _targetFresh : _onTheWay[^1].Fresh;

    /// <summary>
    /// Records where each of the file's blobs goes; the file is created (under its partial name) by its
    /// first write. Returns null when the file cannot be restored at all.
    /// </summary>
    private PendingFile? PlanFile(byte[] path, string display, Node node)
    {
        // A hard link's first name keeps its node: the later names compare an existing file's content with it.
        var file = new PendingFile(path, _displayStart, Metadata(node), node.Inode is not null && node.Device is not null ? node : null)
        {
            Fresh = InFreshDirectory,
        };
        _located.Clear();
        foreach (string hex in node.Content ?? [])
        {
            var id = BlobId.Parse(hex);
            if (_locate(id) is not { } at)
            {
                // Without the blob's length nothing after it can be placed: the file cannot be laid out at all.
                _result.Fail(display, $"not restored: blob {id.Short} of its content is in no index (its pack is missing or its index is damaged), so its size is unknown");
                return null;
            }
            _located.Add((id, at.Pack, at.RawLength));
        }
        try
        {
            if (!file.Fresh)
            {
                if (KeepsExisting(path, display, node, [.. _located.Select(b => (b.Id, b.Length))])) return null;
                RemoveExisting(path);
                RemoveExisting(file.PartialPath);
            }
        }
        catch (PosixException e) when (TargetFailure.Is(e))
        {
            StopOnTargetFailure(e);
            return null;
        }
        catch (PosixException e)
        {
            _result.Fail(display, e.Message);
            return null;
        }
        long offset = 0;
        foreach (var (id, pack, length) in _located)
        {
            if (!_plan.TryGetValue(pack, out var placements))
            {
                placements = new List<Placement>();
                _plan[pack] = placements;
                _packOrder.Add(pack);
            }
            placements.Add(new Placement(id, file, offset, length));
            file.Remaining++;
            _planned++;
            offset += length;
        }
        file.Size = offset;
        if (file.Remaining == 0)
        {
            Write(file, null, 0, 0, last: true);
        }
        return file;
    }

    /// <summary>One blob's bytes going into one file at an offset; a blob in several files (or twice in one) is placed once for each.</summary>
    private readonly record struct Placement(BlobId Id, PendingFile File, long Offset, int Length);

    private Task RestorePackAsync(string pack, List<Placement> placements, CancellationToken cancellationToken)
    {
        // Sorted by blob: the blobs the pack hands on are found by binary search, and a blob placed in
        // several files is one run of placements. ~56 bytes a placement, where a dictionary of lists of
        // the pack's blobs cost ~150.
        placements.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return _readPack(pack, DistinctIds(placements), (id, data, damage) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sorted = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(placements);
            int first = FirstPlacement(sorted, id);
            int end = first;
            while (end < sorted.Length && sorted[end].Id.Equals(id)) end++;
            var targets = sorted[first..end];
            if (damage is not null)
            {
                // The rest of each file is still worth having; the report says which bytes are lost.
                foreach (var placement in targets)
                {
                    lock (placement.File) placement.File.Lose(placement.Offset, placement.Length, damage.Message);
                }
            }
            // All-zero blocks become holes: sparse files stay sparse (a lost blob is a hole too, and reported).
            bool hole = data is null || data.Data.Span.IndexOfAnyExcept((byte)0) < 0;
            foreach (var placement in targets)
            {
                var file = placement.File;
                lock (file)
                {
                    Write(file, hole ? null : data!.Data, placement.Offset, placement.Length, last: --file.Remaining == 0);
                }
            }
            return ValueTask.CompletedTask;
        }, cancellationToken);
    }

    /// <summary>The distinct blob ids of placements sorted by id.</summary>
    private static SortedBlobIds DistinctIds(List<Placement> sorted)
    {
        int distinct = 0;
        for (int i = 0; i < sorted.Count; i++)
        {
            if (i == 0 || !sorted[i].Id.Equals(sorted[i - 1].Id)) distinct++;
        }
        var ids = new BlobId[distinct];
        int n = 0;
        for (int i = 0; i < sorted.Count; i++)
        {
            if (i == 0 || !sorted[i].Id.Equals(sorted[i - 1].Id)) ids[n++] = sorted[i].Id;
        }
        return SortedBlobIds.FromSorted(ids);
    }

    /// <summary>The first placement of <paramref name="id"/> in placements sorted by id (lower bound).</summary>
    private static int FirstPlacement(ReadOnlySpan<Placement> sorted, BlobId id)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (sorted[middle].Id.CompareTo(id) < 0) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    /// <summary>
    /// Writes one blob (null: a hole or a lost blob) into a file's partial name; the first write creates
    /// it, the last fixes its length and metadata, renames it to its real name when intact, and reports it.
    /// One open per write: most files are one blob, so a file costs open, write, fchown (as root),
    /// fchmod, futimens, close and rename; the metadata goes through the open file, not the path.
    /// </summary>
    private void Write(PendingFile file, ReadOnlyMemory<byte>? data, long offset, int length, bool last)
    {
        if (_targetFailure is not null)
        {
            return; // stopping: RemoveUnfinished deletes this file
        }
        try
        {
            if (data is not null || !file.Created || last)
            {
                bool create = !file.Created;
                using var handle = create ? CreatePartial(file.PartialPath) : PosixFs.OpenWrite(file.PartialPath);
                if (create)
                {
                    file.Created = true;
                    lock (_unfinished) _unfinished.Add(file);
                }
                if (data is { } bytes)
                {
                    PosixFs.WriteAt(handle, bytes.Span, offset, file.PartialPath);
                    file.End = Math.Max(file.End, offset + bytes.Length);
                }
                if (last && file.End != file.Size)
                {
                    PosixFs.SetLength(handle, file.Size, file.PartialPath);
                }
                if (last)
                {
                    // After the last write, which would change the mtime again.
                    file.MetadataApplied = ApplyMetadata(handle, file);
                }
            }
        }
        catch (Exception e) when (e is IOException && TargetFailure.Is(e))
        {
            StopOnTargetFailure(e);
            return;
        }
        catch (IOException e)
        {
            file.Lose(offset, data?.Length ?? length, $"not written: {e.Message}");
        }
        if (last)
        {
            Finish(file);
        }
    }

    /// <summary>
    /// Creates a file's partial name with one open (O_EXCL: nothing to truncate). The name is normally
    /// free (a fresh directory, or the planner removed it); when something took it, it is removed and the
    /// create tried once more.
    /// </summary>
    private static Microsoft.Win32.SafeHandles.SafeFileHandle CreatePartial(byte[] partialPath)
    {
        try
        {
            return PosixFs.CreateNewFile(partialPath, PrivateFile);
        }
        catch (PosixException e) when (e.IsAlreadyExists)
        {
            RemoveExisting(partialPath);
            return PosixFs.CreateNewFile(partialPath, PrivateFile);
        }
    }

    /// <summary>The file's last blob is in: give it its real name, or keep what is intact under the partial name.</summary>
    private void Finish(PendingFile file)
    {
        if (!file.Created)
        {
            _result.Fail(file.Display, $"not restored: {file.LostReport()}");
            return;
        }
        if (!file.MetadataApplied && file.LostBytes < file.Size)
        {
            ApplyMetadata(file.PartialPath, file.Metadata, file.Display); // the last write failed before it
        }
        if (file.LostBytes == 0)
        {
            try
            {
                PosixFs.Rename(file.PartialPath, file.Path);
                file.Completed = true;
                _result.AddFile(file.Size);
            }
            catch (PosixException e) when (TargetFailure.Is(e))
            {
                StopOnTargetFailure(e);
                return;
            }
            catch (PosixException e)
            {
                _result.Fail(file.Display, $"not restored: renaming it into place failed ({e.Message})");
            }
        }
        else if (file.LostBytes >= file.Size)
        {
            // Nothing intact: no file rather than one that is all holes.
            TryRemove(file.PartialPath);
            _result.Fail(file.Display, $"not restored: {file.LostReport()}");
        }
        else
        {
            _result.Fail(file.Display, $"not restored: {file.LostReport()}; the other {file.Size - file.LostBytes} bytes are kept in {PosixPath.ToDisplay(file.PartialPath)} (lost ranges read as zeros)");
        }
        lock (_unfinished) _unfinished.Remove(file);
    }

    /// <summary>Records the first target failure and stops every writer: the next file would fail the same way.</summary>
    private void StopOnTargetFailure(Exception e)
    {
        Interlocked.CompareExchange(ref _targetFailure, e, null);
        _stop.Cancel();
    }

    /// <summary>After a target failure: files not finished must not stay behind, even under their partial names.</summary>
    private void RemoveUnfinished()
    {
        lock (_unfinished)
        {
            foreach (var file in _unfinished)
            {
                TryRemove(file.PartialPath);
            }
            _unfinished.Clear();
        }
    }

    private static void TryRemove(byte[] path)
    {
        try
        {
            PosixFs.Unlink(path);
        }
        catch (PosixException e) when (e.IsNotFound)
        {
            // already gone
        }
    }

    private void RestoreSpecial(byte[] path, string display, Node node)
    {
        try
        {
            if (!InFreshDirectory)
            {
                if (KeepsExisting(path, display, node)) return;
                RemoveExisting(path);
            }
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
                    _result.AddSpecial(node.Type); // counted as backup counts it, but a socket belongs to a running process: nothing to create
                    return;
            }
            ApplyMetadata(path, Metadata(node), display);
            _result.AddSpecial(node.Type);
        }
        catch (PosixException e) when (TargetFailure.Is(e))
        {
            StopOnTargetFailure(e);
        }
        catch (PosixException e)
        {
            _result.Fail(display, e.Message);
        }
    }

    /// <summary>
    /// Applies the overwrite policy to what is at <paramref name="path"/>: true when it stays as it is
    /// (counted as kept; an unchanged one gets the snapshot's metadata); a replaced one is counted.
    /// </summary>
    private bool KeepsExisting(byte[] path, string display, Node node, IReadOnlyList<(BlobId, int)>? blobs = null)
    {
        if (_existing is null)
        {
            return false;
        }
        blobs ??= node.Type == NodeType.File ? Locate(node) : [];
        switch (blobs is null ? ExistingEntry.Replace : _existing.Decide(path, node, blobs))
        {
            case ExistingEntry.Unchanged:
                ApplyMetadata(path, Metadata(node), display);
                _result.AddKept();
                return true;
            case ExistingEntry.Keep:
                _result.AddKept();
                return true;
            case ExistingEntry.Replace:
                _result.AddReplaced();
                return false;
            default:
                return false;
        }
    }

    /// <summary>A file's blobs and lengths, or null when one is in no index.</summary>
    private List<(BlobId, int)>? Locate(Node node)
    {
        var blobs = new List<(BlobId, int)>();
        foreach (var id in (node.Content ?? []).Select(BlobId.Parse))
        {
            if (_locate(id) is not { } at) return null;
            blobs.Add((id, at.RawLength));
        }
        return blobs;
    }

    private static void RemoveExisting(byte[] path)
    {
        if (PosixFs.Exists(path) && PosixFs.LStat(path).Type != PosixFileType.Directory)
        {
            PosixFs.Unlink(path);
        }
    }

    private void ApplyMetadata(byte[] path, EntryMetadata metadata, string display)
    {
        try
        {
            if (_restoreOwners)
            {
                var (uid, gid) = Owner(metadata);
                PosixFs.LChown(path, uid, gid);
            }
            if (!metadata.IsSymlink)
            {
                // After chown: changing the owner clears setuid/setgid.
                PosixFs.Chmod(path, metadata.Mode);
            }
            PosixFs.SetTimes(path, metadata.MtimeNs, metadata.MtimeNs);
        }
        catch (PosixException e)
        {
            _result.Fail(display, $"metadata not restored: {e.Message}");
        }
    }

    /// <summary>
    /// <see cref="ApplyMetadata(byte[], EntryMetadata, string)"/> through a file's open handle (fchown, fchmod,
    /// futimens: no path lookups). False when it failed (reported).
    /// </summary>
    private bool ApplyMetadata(Microsoft.Win32.SafeHandles.SafeFileHandle handle, PendingFile file)
    {
        var metadata = file.Metadata;
        try
        {
            if (_restoreOwners)
            {
                var (uid, gid) = Owner(metadata);
                PosixFs.Chown(handle, uid, gid);
            }
            // After chown: changing the owner clears setuid/setgid.
            PosixFs.Chmod(handle, metadata.Mode);
            PosixFs.SetTimes(handle, metadata.MtimeNs, metadata.MtimeNs);
            return true;
        }
        catch (PosixException e)
        {
            _result.Fail(file.Display, $"metadata not restored: {e.Message}");
            return false;
        }
    }

    /// <summary>The owner to give an entry: by name when the name exists here (like tar), else by number.</summary>
    private static (uint Uid, uint Gid) Owner(EntryMetadata metadata) =>
        ((metadata.User is not null ? PosixFs.LookupUid(metadata.User) : null) ?? metadata.Uid,
         (metadata.Group is not null ? PosixFs.LookupGid(metadata.Group) : null) ?? metadata.Gid);

    /// <summary>
    /// What an entry gets besides its contents: a node's owner, mode and mtime without the node, so the
    /// plan does not keep each file's parsed node (its name, id strings and the rest) until it is written.
    /// </summary>
    private readonly record struct EntryMetadata(uint Mode, uint Uid, uint Gid, string? User, string? Group, long MtimeNs, bool IsSymlink);

    private EntryMetadata Metadata(Node node) =>
        new(node.Mode, node.Uid, node.Gid, Shared(node.User), Shared(node.Group), node.MtimeNs, node.Type == NodeType.Symlink);

    /// <summary>The one copy of a user or group name: every parsed node brings its own.</summary>
    private string? Shared(string? name)
    {
        if (name is null) return null;
        lock (_names)
        {
            if (_names.TryGetValue(name, out var shared)) return shared;
            if (_names.Count < 4096) _names[name] = name;
            return name;
        }
    }

    /// <summary>
    /// A regular file being restored: written blob by blob under its partial name, finished when none
    /// remain. The plan holds tens of thousands of these, so a file keeps its path and metadata only
    /// (~150 bytes); its display name and partial name are derived when used.
    /// </summary>
    private sealed class PendingFile(byte[] path, int displayStart, EntryMetadata metadata, Node? linkNode)
    {
        private List<(long Offset, long Length, string Reason)>? _lost;

        public byte[] Path { get; } = path;
        /// <summary>Derived when used (a few times per file) rather than stored: the plan holds tens of thousands of files.</summary>
        public byte[] PartialPath => PartialPathFor(Path);
        /// <summary>The path below the target, for messages (invalid UTF-8 escaped as in the snapshot's listing).</summary>
        public string Display => Node.Escape(Path.AsSpan(displayStart));
        public EntryMetadata Metadata { get; } = metadata;
        /// <summary>The node of a file with an inode recorded (a hard link's first name), else null.</summary>
        public Node? LinkNode { get; } = linkNode;
        public long Size { get; set; }
        public int Remaining { get; set; }
        public bool Created { get; set; }
        /// <summary>In a directory this restore made: nothing can be at its name or partial name.</summary>
        public bool Fresh { get; init; }
        /// <summary>Owner, mode and times were set through the open file after the last write.</summary>
        public bool MetadataApplied { get; set; }
        /// <summary>Renamed to its real name, intact.</summary>
        public bool Completed { get; set; }
        /// <summary>End of the furthest data written; when it falls short of Size the tail is a hole.</summary>
        public long End { get; set; }
        public long LostBytes { get; private set; }

        /// <summary>
        /// NAME.offsite-partial; a name too long for the suffix (NAME_MAX is 255 bytes) is shortened and
        /// made unique with a hash of the whole name, so even such a file never needs its real name.
        /// </summary>
        private static byte[] PartialPathFor(byte[] path)
        {
            const int NameMax = 255;
            byte[] suffix = System.Text.Encoding.ASCII.GetBytes(PartialSuffix);
            int slash = Array.LastIndexOf(path, (byte)'/');
            var name = path.AsSpan(slash + 1);
            if (name.Length + suffix.Length <= NameMax)
            {
                return [.. path, .. suffix];
            }
            byte[] tag = System.Text.Encoding.ASCII.GetBytes("~" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(name))[..8]);
            return [.. path.AsSpan(0, slash + 1), .. name[..(NameMax - suffix.Length - tag.Length)], .. tag, .. suffix];
        }

        public void Lose(long offset, long length, string reason)
        {
            (_lost ??= new()).Add((offset, length, reason));
            LostBytes += length;
        }

        /// <summary>"bytes 0–65535, 131072–196607 of 300000 lost (reason)": the ranges merged, the first reasons named.</summary>
        public string LostReport()
        {
            var ranges = new List<(long Start, long End)>();
            foreach (var (offset, length, _) in (_lost ?? []).OrderBy(l => l.Offset))
            {
                if (ranges.Count > 0 && ranges[^1].End >= offset)
                {
                    ranges[^1] = (ranges[^1].Start, Math.Max(ranges[^1].End, offset + length));
                }
                else
                {
                    ranges.Add((offset, offset + length));
                }
            }
            string listed = string.Join(", ", ranges.Take(10).Select(r => $"{r.Start}-{r.End - 1}")) + (ranges.Count > 10 ? $", … ({ranges.Count} ranges)" : "");
            string reasons = string.Join("; ", (_lost ?? []).Select(l => l.Reason).Distinct(StringComparer.Ordinal).Take(3));
            return $"bytes {listed} of {Size} lost ({reasons})";
        }
    }
}
