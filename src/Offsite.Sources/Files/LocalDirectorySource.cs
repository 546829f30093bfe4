using System.Runtime.CompilerServices;
using Offsite.Core.Cache;
using Offsite.Core.Sources;
using Offsite.Core.Trees;
using Offsite.Posix;

namespace Offsite.Sources.Files;

/// <summary>
/// Local paths as a tree source. The root mirrors them from '/': backing up /srv/a and /srv/b
/// gives root → srv → {a, b}, with the metadata of each real directory on the way. Names are
/// bytes end to end (lstat, readdir, readlink through Offsite.Posix), so nothing is lost in a
/// round trip through strings.
/// </summary>
public sealed class LocalDirectorySource : ITreeSource
{
    private readonly PathTrie _root = new();
    private readonly HashSet<string> _excluded;

    /// <param name="absolutePaths">what to back up; an ancestor given too makes a descendant redundant</param>
    /// <param name="excludedPaths">absolute paths left out wherever they appear (the cache directory)</param>
    public LocalDirectorySource(IReadOnlyList<string> absolutePaths, IEnumerable<string>? excludedPaths = null)
    {
        Paths = absolutePaths;
        foreach (string p in absolutePaths)
        {
            _root.Add(p.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        _excluded = new HashSet<string>((excludedPaths ?? []).Select(p => FilesCache.KeyOf(PosixPath.FromString(p))), StringComparer.Ordinal);
        CacheKey = "paths:" + string.Join('\0', absolutePaths);
    }

    public IReadOnlyList<string> Paths { get; }

    public string CacheKey { get; }

    public IAsyncEnumerable<SourceEntry> ListRootAsync(CancellationToken cancellationToken) =>
        ListTrieAsync(_root, "/"u8.ToArray(), cancellationToken);

    public IAsyncEnumerable<SourceEntry> ListAsync(SourceEntry directory, CancellationToken cancellationToken) =>
        directory.Handle switch
        {
            TrieDirectory t => ListTrieAsync(t.Trie, t.Path, cancellationToken),
            byte[] path => ListDirectoryAsync(path, cancellationToken),
            _ => throw new ArgumentException("not an entry of this source", nameof(directory)),
        };

    public ValueTask<Stream> OpenReadAsync(SourceEntry file, CancellationToken cancellationToken)
    {
        byte[] path = file.Handle as byte[] ?? throw new ArgumentException("not a file of this source", nameof(file));
        try
        {
            var handle = PosixFs.OpenRead(path);
            return ValueTask.FromResult<Stream>(new FileStream(handle, FileAccess.Read, 0));
        }
        catch (PosixException e)
        {
            throw new SourceEntryException(e.PathText, e.Message, e);
        }
    }

#pragma warning disable CS1998 // the file system calls are synchronous; the interface is async for remote sources
    private async IAsyncEnumerable<SourceEntry> ListTrieAsync(PathTrie trie, byte[] path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var (name, child) in trie.Children.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            byte[] nameBytes = PosixPath.FromString(name);
            byte[] childPath = PosixPath.Join(path, nameBytes);
            if (child.IsLeaf)
            {
                if (Entry(childPath, nameBytes) is { } entry) yield return entry;
                continue;
            }
            FileStat stat;
            try
            {
                stat = PosixFs.LStat(childPath);
            }
            catch (PosixException e)
            {
                throw new SourceEntryException(e.PathText, e.Message, e);
            }
            var node = NodeFromStat(nameBytes, stat);
            node.Type = NodeType.Directory;
            yield return new SourceEntry(node, default, null, new TrieDirectory(child, childPath));
        }
    }

    private async IAsyncEnumerable<SourceEntry> ListDirectoryAsync(byte[] path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<DirEntry> entries;
        try
        {
            entries = PosixFs.ReadDirectory(path);
        }
        catch (PosixException e)
        {
            throw new SourceEntryException(e.PathText, e.Message, e);
        }
        foreach (var e in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Entry(PosixPath.Join(path, e.Name), e.Name) is { } entry) yield return entry;
        }
    }
#pragma warning restore CS1998

    /// <summary>An lstat'ed entry; null when excluded. A vanished or unreadable one becomes an entry whose reading fails.</summary>
    private SourceEntry? Entry(byte[] path, byte[] name)
    {
        string key = FilesCache.KeyOf(path);
        if (_excluded.Contains(key))
        {
            return null;
        }
        FileStat stat;
        try
        {
            stat = PosixFs.LStat(path);
        }
        catch (PosixException e)
        {
            return SourceEntry.Failed(name, new SourceEntryException(e.PathText, e.Message, e));
        }
        var node = NodeFromStat(name, stat);
        try
        {
            switch (stat.Type)
            {
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
            return SourceEntry.Failed(name, new SourceEntryException(e.PathText, e.Message, e));
        }
        return new SourceEntry(node, new FileFingerprint(stat.MtimeNs, stat.CtimeNs, stat.Size, stat.Inode), key, path);
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

    private sealed record TrieDirectory(PathTrie Trie, byte[] Path);

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
