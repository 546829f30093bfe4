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
    private readonly DirectoryWalkRules _rules;
    /// <summary>The first bytes of a valid CACHEDIR.TAG (https://bford.info/cachedir/).</summary>
    private static readonly byte[] CacheDirSignature = "Signature: 8a477f597d28d172789f06886806bc55"u8.ToArray();
    private static readonly byte[] CacheDirTag = "CACHEDIR.TAG"u8.ToArray();

    /// <param name="absolutePaths">what to back up; an ancestor given too makes a descendant redundant</param>
    /// <param name="excludedPaths">absolute paths left out wherever they appear (the cache directory)</param>
    /// <param name="rules">exclude patterns and the other walk rules</param>
    public LocalDirectorySource(IReadOnlyList<string> absolutePaths, IEnumerable<string>? excludedPaths = null, DirectoryWalkRules? rules = null)
    {
        _rules = rules ?? DirectoryWalkRules.None;
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
            LocalDirectory d => ListDirectoryAsync(d, cancellationToken),
            byte[] path => ListDirectoryAsync(new LocalDirectory(path, null, false), cancellationToken), // a root given by path (a volume's mountpoint)
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

    private async IAsyncEnumerable<SourceEntry> ListDirectoryAsync(LocalDirectory directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (directory.OtherFileSystem)
        {
            yield break; // --one-file-system: the mount point is kept, empty
        }
        byte[] path = directory.Path;
        List<DirEntry> entries;
        try
        {
            entries = PosixFs.ReadDirectory(path);
        }
        catch (PosixException e)
        {
            throw new SourceEntryException(e.PathText, e.Message, e);
        }
        if (_rules.ExcludeCaches && entries.Any(e => e.Name.AsSpan().SequenceEqual(CacheDirTag)) && IsValidCacheDirTag(PosixPath.Join(path, CacheDirTag)))
        {
            // A cache directory keeps only its tag, as in restic: the next restore shows what was left out.
            entries = entries.Where(e => e.Name.AsSpan().SequenceEqual(CacheDirTag)).ToList();
        }
        foreach (var e in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Entry(PosixPath.Join(path, e.Name), e.Name, directory.Device) is { } entry) yield return entry;
        }
    }

    private static bool IsValidCacheDirTag(byte[] path)
    {
        try
        {
            using var handle = PosixFs.OpenRead(path);
            var head = new byte[CacheDirSignature.Length];
            int n = 0, r;
            while (n < head.Length && (r = RandomAccess.Read(handle, head.AsSpan(n), n)) > 0) n += r;
            return n == head.Length && head.AsSpan().SequenceEqual(CacheDirSignature);
        }
        catch (PosixException)
        {
            return false; // an unreadable tag marks nothing; the directory is backed up (and its unreadable parts reported)
        }
    }
#pragma warning restore CS1998

    /// <summary>An lstat'ed entry; null when excluded. A vanished or unreadable one becomes an entry whose reading fails.</summary>
    /// <param name="parentDevice">the device of the directory listing it; null for a path given to back up</param>
    private SourceEntry? Entry(byte[] path, byte[] name, ulong? parentDevice = null)
    {
        string key = FilesCache.KeyOf(path);
        if (_excluded.Contains(key) || (_rules.Exclude.Count > 0 && _rules.Excludes(PosixPath.ToDisplay(path))))
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
        object handle = stat.Type == PosixFileType.Directory
            ? new LocalDirectory(path, stat.Device, _rules.OneFileSystem && parentDevice is { } parent && parent != stat.Device)
            : path;
        return new SourceEntry(node, new FileFingerprint(stat.MtimeNs, stat.CtimeNs, stat.Size, stat.Inode), key, handle);
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

    /// <param name="OtherFileSystem">on another device than its parent while --one-file-system is on: listed as empty</param>
    private sealed record LocalDirectory(byte[] Path, ulong? Device, bool OtherFileSystem);

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
