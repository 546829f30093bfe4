using Offsite.Core.Trees;

namespace Offsite.Core.Sources;

/// <summary>
/// One entry of a tree source: its metadata as a tree node (name, type, mode, owner, times, link
/// target; the archiver fills in content or subtree), the fingerprint that tells whether its
/// content may have changed, and whatever the source needs to find it again.
/// </summary>
public sealed class SourceEntry
{
    public SourceEntry(Node node, FileFingerprint fingerprint, string? cacheKey, object? handle = null)
    {
        Node = node;
        Fingerprint = fingerprint;
        CacheKey = cacheKey;
        Handle = handle;
    }

    public Node Node { get; }

    /// <summary>Set when the entry was listed but cannot be read: the archiver warns and leaves it out.</summary>
    public SourceEntryException? Error { get; private init; }

    /// <summary>An entry that was listed but could not be examined (vanished, permission denied).</summary>
    public static SourceEntry Failed(byte[] rawName, SourceEntryException error) =>
        new(new Node { RawName = rawName, Type = NodeType.File }, default, null) { Error = error };

    public FileFingerprint Fingerprint { get; }

    /// <summary>The entry's key in the files cache (its full path within the source); null: always read.</summary>
    public string? CacheKey { get; }

    /// <summary>Source-private: a path, a trie node, an object key.</summary>
    public object? Handle { get; }
}

/// <summary>
/// What the files cache compares between runs. For a local file: mtime, ctime, size and inode
/// (restic's rule); for an object: last-modified, size and a hash of its ETag in <see cref="Change"/>.
/// </summary>
public readonly record struct FileFingerprint(long MtimeNs, long Change, long Size, ulong Identity);
