using Offsite.Codecs.Chunking;
using Offsite.Core.Cache;
using Offsite.Core.Content;
using Offsite.Core.Trees;
using Offsite.Posix;

namespace Offsite.Core.Archiver;

/// <summary>
/// Walks directories and turns them into trees and data blobs. Unchanged files (per the files
/// cache) are not read; their blobs must still be in the index, otherwise they are read again.
/// Unreadable entries are reported and skipped, never fatal: one locked file must not lose a backup.
/// </summary>
public sealed class FileArchiver
{
    private readonly BlobSaver _saver;
    private readonly Chunker _chunker;
    private readonly FilesCache _previous;
    private readonly FilesCache _next;
    private readonly BackupProgress _progress;
    private readonly HashSet<string> _excluded;
    private readonly System.Buffers.ArrayPool<byte> _readerBuffers;
    private readonly byte[] _smallFileBuffer;

    public FileArchiver(BlobSaver saver, Chunker chunker, FilesCache previous, FilesCache next, BackupProgress progress, IEnumerable<string>? excludedPaths = null)
    {
        _saver = saver;
        _chunker = chunker;
        _previous = previous;
        _next = next;
        _progress = progress;
        _excluded = new HashSet<string>(excludedPaths ?? [], StringComparer.Ordinal);
        // Files are read one at a time: one reader buffer and one small-file buffer serve them all.
        _readerBuffers = chunker.CreateBufferPool(1);
        _smallFileBuffer = new byte[chunker.Parameters.MinSize + 1];
    }

    /// <summary>
    /// Backs up absolute paths. The root tree mirrors them from '/': backing up /srv/a and /srv/b
    /// gives root → srv → {a, b}, with the metadata of each real directory on the way.
    /// </summary>
    public async Task<BlobId> ArchivePathsAsync(IReadOnlyList<string> absolutePaths, CancellationToken cancellationToken)
    {
        var root = new PathTrie();
        foreach (string p in absolutePaths)
        {
            root.Add(p.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        return await SaveTrieAsync(root, "/"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<BlobId> SaveTrieAsync(PathTrie trie, byte[] path, CancellationToken cancellationToken)
    {
        var tree = new Tree();
        foreach (var (name, child) in trie.Children.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            byte[] nameBytes = PosixPath.FromString(name);
            byte[] childPath = PosixPath.Join(path, nameBytes);
            if (child.IsLeaf)
            {
                var node = await ArchiveEntryAsync(childPath, nameBytes, cancellationToken).ConfigureAwait(false);
                if (node is not null) tree.Nodes.Add(node);
            }
            else
            {
                var stat = PosixFs.LStat(childPath);
                var node = NodeFromStat(nameBytes, stat);
                node.Type = NodeType.Directory;
                node.Subtree = (await SaveTrieAsync(child, childPath, cancellationToken).ConfigureAwait(false)).ToString();
                tree.Nodes.Add(node);
            }
        }
        return await _saver.SaveAsync(BlobType.Tree, tree.Serialize(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One directory entry and, for a directory, everything below it. Null when it vanished or is unreadable.</summary>
    private async Task<Node?> ArchiveEntryAsync(byte[] path, byte[] name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        FileStat stat;
        try
        {
            stat = PosixFs.LStat(path);
        }
        catch (PosixException e)
        {
            _progress.Warn($"skipped {e.PathText}: {e.Message}");
            return null;
        }
        if (_excluded.Contains(FilesCache.KeyOf(path)))
        {
            return null;
        }
        var node = NodeFromStat(name, stat);
        try
        {
            switch (stat.Type)
            {
                case PosixFileType.Directory:
                    node.Subtree = (await ArchiveDirectoryAsync(path, cancellationToken).ConfigureAwait(false)).ToString();
                    _progress.AddDirectory();
                    break;
                case PosixFileType.Regular:
                    node.Content = await ArchiveFileAsync(path, stat, node, cancellationToken).ConfigureAwait(false);
                    break;
                case PosixFileType.Symlink:
                    node.RawLinkTarget = PosixFs.ReadLink(path);
                    break;
                case PosixFileType.CharDevice or PosixFileType.BlockDevice:
                    node.Rdev = stat.Rdev;
                    break;
            }
        }
        catch (PosixException e)
        {
            _progress.Warn($"skipped {e.PathText}: {e.Message}");
            return null;
        }
        return node;
    }

    private async Task<BlobId> ArchiveDirectoryAsync(byte[] path, CancellationToken cancellationToken)
    {
        var tree = new Tree();
        foreach (var entry in PosixFs.ReadDirectory(path))
        {
            var node = await ArchiveEntryAsync(PosixPath.Join(path, entry.Name), entry.Name, cancellationToken).ConfigureAwait(false);
            if (node is not null) tree.Nodes.Add(node);
        }
        return await _saver.SaveAsync(BlobType.Tree, tree.Serialize(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<string>> ArchiveFileAsync(byte[] path, FileStat stat, Node node, CancellationToken cancellationToken)
    {
        string key = FilesCache.KeyOf(path);
        if (_previous.TryGet(key, out var cached)
            && cached.MtimeNs == stat.MtimeNs && cached.CtimeNs == stat.CtimeNs && cached.Size == stat.Size && cached.Inode == stat.Inode
            && cached.Content.All(_saver.IsKnown))
        {
            _next.Set(key, cached);
            _progress.AddFile(stat.Size, unchanged: true);
            return cached.Content.Select(id => id.ToString()).ToList();
        }

        var ids = new List<BlobId>();
        long total = 0;
        using (var handle = PosixFs.OpenRead(path))
        {
            if (stat.Size < _chunker.Parameters.MinSize)
            {
                // Small file: one read, one blob; the chunker could not cut it anyway.
                byte[] buffer = _smallFileBuffer;
                {
                    int n = 0, r;
                    while (n < buffer.Length && (r = await RandomAccess.ReadAsync(handle, buffer.AsMemory(n), n, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        n += r;
                    }
                    if (n <= stat.Size)
                    {
                        total = n;
                        if (n > 0) ids.Add(await _saver.SaveAsync(BlobType.Data, buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false));
                    }
                    else
                    {
                        // Grew since stat: fall through to the chunked path from the start.
                        ids.Clear();
                        total = await ChunkAsync(handle, ids, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            else
            {
                total = await ChunkAsync(handle, ids, cancellationToken).ConfigureAwait(false);
            }
        }
        node.Size = total;
        _next.Set(key, new FilesCache.Entry(stat.MtimeNs, stat.CtimeNs, total, stat.Inode, ids.ToArray()));
        _progress.AddFile(total, unchanged: false);
        return ids.Select(id => id.ToString()).ToList();
    }

    private async Task<long> ChunkAsync(Microsoft.Win32.SafeHandles.SafeFileHandle handle, List<BlobId> ids, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(handle, FileAccess.Read, 0);
        using var reader = _chunker.Open(stream, _readerBuffers);
        long total = 0;
        while (true)
        {
            var chunk = await reader.NextAsync(cancellationToken).ConfigureAwait(false);
            if (chunk.IsEmpty) break;
            total += chunk.Length;
            ids.Add(await _saver.SaveAsync(BlobType.Data, chunk, cancellationToken).ConfigureAwait(false));
        }
        return total;
    }

    internal static Node NodeFromStat(byte[] name, FileStat stat)
    {
        var node = new Node
        {
            RawName = name,
            Type = stat.Type switch
            {
                PosixFileType.Directory => NodeType.Directory,
                PosixFileType.Symlink => NodeType.Symlink,
                PosixFileType.Fifo => NodeType.Fifo,
                PosixFileType.Socket => NodeType.Socket,
                PosixFileType.CharDevice => NodeType.CharDevice,
                PosixFileType.BlockDevice => NodeType.BlockDevice,
                _ => NodeType.File,
            },
            Mode = stat.Permissions,
            Uid = stat.Uid,
            Gid = stat.Gid,
            User = PosixFs.UserName(stat.Uid),
            Group = PosixFs.GroupName(stat.Gid),
            MtimeNs = stat.MtimeNs,
            Size = stat.Type == PosixFileType.Regular ? stat.Size : 0,
        };
        if (stat.Type == PosixFileType.Regular && stat.Links > 1)
        {
            node.Inode = stat.Inode;
            node.Device = stat.Device;
            node.Links = stat.Links;
        }
        return node;
    }

    private sealed class PathTrie
    {
        public Dictionary<string, PathTrie> Children { get; } = new(StringComparer.Ordinal);
        public bool IsLeaf { get; private set; }

        public void Add(string[] parts)
        {
            var node = this;
            foreach (string part in parts)
            {
                if (node.IsLeaf) return; // an ancestor is already backed up whole
                if (!node.Children.TryGetValue(part, out var child))
                {
                    child = new PathTrie();
                    node.Children[part] = child;
                }
                node = child;
            }
            node.IsLeaf = true;
            node.Children.Clear();
        }
    }
}
