using System.Text;
using Offsite.Core.Content;

namespace Offsite.Core.Cache;

/// <summary>
/// What a file looked like at the last backup of the same source, and which blobs it became. A file
/// whose size, mtime, ctime and inode are unchanged is not read again.
/// <para>
/// The cache has one entry per file of the source, so it is never held in memory: it is a file of
/// records in the order the archiver visits files (depth first, children by name bytes), read back
/// as a stream by <see cref="FilesCacheReader"/> and written as one by <see cref="FilesCacheWriter"/>.
/// Memory stays the same for a thousand files and for ten million (docs/design.md, "Memory").
/// </para>
/// </summary>
public static class FilesCache
{
    /// <summary>"OFC2": records in walk order (docs/format.md, "Local cache"). "OFC1" files are ignored.</summary>
    internal const uint Magic = 0x4F464332;

    /// <summary>A file's fingerprint at the last backup and its content blob ids.</summary>
    public readonly record struct Entry(long MtimeNs, long CtimeNs, long Size, ulong Inode, BlobId[] Content);

    // Latin-1 maps every byte to one char, so arbitrary-byte paths become distinct string keys.
    public static string KeyOf(ReadOnlySpan<byte> path) => Encoding.Latin1.GetString(path);

    /// <summary>
    /// The order of the walk: byte order of the paths, except that the separator '/' sorts before
    /// every other byte. That is depth-first order with each directory's children sorted by name,
    /// which is how tree sources list them and how trees are stored.
    /// </summary>
    public static int CompareInWalkOrder(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i], y = b[i];
            if (x == y) continue;
            if (x == '/') return -1;
            if (y == '/') return 1;
            return x < y ? -1 : 1;
        }
        return a.Length.CompareTo(b.Length);
    }
}
