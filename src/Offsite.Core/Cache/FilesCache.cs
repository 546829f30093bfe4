using System.Text;
using Offsite.Core.Content;

namespace Offsite.Core.Cache;

/// <summary>
/// What a file looked like at the last backup of the same source, and which blobs it became.
/// A file whose size, mtime, ctime and inode are unchanged is not read again. Binary, because it
/// has one entry per file of the source (docs/format.md, "Local cache").
/// </summary>
public sealed class FilesCache
{
    private const uint Magic = 0x4F464331; // "OFC1"
    private readonly Dictionary<string, Entry> _entries;

    public FilesCache() : this(new Dictionary<string, Entry>(StringComparer.Ordinal)) { }

    private FilesCache(Dictionary<string, Entry> entries) => _entries = entries;

    public int Count => _entries.Count;

    public readonly record struct Entry(long MtimeNs, long CtimeNs, long Size, ulong Inode, BlobId[] Content);

    // Latin-1 maps every byte to one char, so arbitrary-byte paths become distinct string keys.
    public static string KeyOf(ReadOnlySpan<byte> path) => Encoding.Latin1.GetString(path);

    public bool TryGet(string key, out Entry entry) => _entries.TryGetValue(key, out entry);

    public void Set(string key, Entry entry) => _entries[key] = entry;

    public static FilesCache Load(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return new FilesCache();
        }
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadUInt32() != Magic)
            {
                return new FilesCache();
            }
            int count = reader.ReadInt32();
            var entries = new Dictionary<string, Entry>(count, StringComparer.Ordinal);
            Span<byte> id = stackalloc byte[BlobId.Size];
            for (int i = 0; i < count; i++)
            {
                string key = reader.ReadString();
                long mtime = reader.ReadInt64(), ctime = reader.ReadInt64(), size = reader.ReadInt64();
                ulong inode = reader.ReadUInt64();
                var content = new BlobId[reader.ReadInt32()];
                for (int j = 0; j < content.Length; j++)
                {
                    reader.BaseStream.ReadExactly(id);
                    content[j] = new BlobId(id);
                }
                entries[key] = new Entry(mtime, ctime, size, inode, content);
            }
            return new FilesCache(entries);
        }
        catch (EndOfStreamException)
        {
            // A damaged cache only costs re-reading files.
            return new FilesCache();
        }
    }

    public void Save(string? path)
    {
        if (path is null)
        {
            return;
        }
        using var ms = new MemoryStream();
        using (var writer = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(_entries.Count);
            Span<byte> id = stackalloc byte[BlobId.Size];
            foreach (var (key, e) in _entries)
            {
                writer.Write(key);
                writer.Write(e.MtimeNs);
                writer.Write(e.CtimeNs);
                writer.Write(e.Size);
                writer.Write(e.Inode);
                writer.Write(e.Content.Length);
                foreach (var blob in e.Content)
                {
                    blob.WriteTo(id);
                    writer.Write(id);
                }
            }
        }
        LocalCache.WriteAtomic(path, ms.GetBuffer().AsSpan(0, (int)ms.Length));
    }
}
