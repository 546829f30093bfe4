using System.IO.Compression;
using Offsite.Core.Content;
using Offsite.Core.Trees;

namespace Offsite.App.Dump;

/// <summary>
/// Writes snapshot entries as a zip stream. Unix permission bits and the file type go into each entry's
/// external attributes (what Info-ZIP's unzip restores, symlinks included); the modification time is zip's
/// DOS time (local time, 2-second resolution, 1980–2107). Zip has no owners, FIFOs or devices: those are
/// counted in <see cref="ZipCounts.Skipped"/>, not written.
/// </summary>
public static class SnapshotZip
{
    private const uint RegularFile = 0x8000, Directory = 0x4000, Symlink = 0xA000;
    private static readonly DateTimeOffset DosFirst = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero), DosLast = new(2107, 12, 31, 0, 0, 0, TimeSpan.Zero);

    public sealed record ZipCounts(long Files, long Directories, long Bytes, long Skipped);

    public static async Task<ZipCounts> WriteAsync(BlobLoader loader, IAsyncEnumerable<(string Path, Node Node)> entries, Stream output, CancellationToken ct)
    {
        long files = 0, directories = 0, bytes = 0, skipped = 0;
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        await foreach (var (path, node) in entries.ConfigureAwait(false))
        {
            string name = path.TrimStart('/');
            switch (node.Type)
            {
                case NodeType.Directory:
                    directories++;
                    Create(zip, name + "/", node, Directory, CompressionLevel.NoCompression);
                    break;
                case NodeType.Symlink:
                    var link = Create(zip, name, node, Symlink, CompressionLevel.NoCompression);
                    await using (var s = link.Open())
                    {
                        await s.WriteAsync(node.RawLinkTarget, ct).ConfigureAwait(false);
                    }
                    break;
                case NodeType.File:
                    files++;
                    bytes += node.Size;
                    var file = Create(zip, name, node, RegularFile, CompressionLevel.Fastest);
                    await using (var s = file.Open())
                    await using (var data = new BlobContentStream(loader, node.Content ?? [], node.Size, path, ct))
                    {
                        await data.CopyToAsync(s, ct).ConfigureAwait(false);
                        data.EnsureComplete();
                    }
                    break;
                default:
                    skipped++;
                    break;
            }
        }
        return new ZipCounts(files, directories, bytes, skipped);
    }

    private static ZipArchiveEntry Create(ZipArchive zip, string name, Node node, uint type, CompressionLevel level)
    {
        var entry = zip.CreateEntry(name, level);
        entry.ExternalAttributes = (int)((type | (node.Mode & 0xFFF)) << 16);
        var mtime = DateTimeOffset.UnixEpoch.AddTicks(node.MtimeNs / 100);
        // DOS time holds a local clock reading: what unzip turns back into the same instant.
        entry.LastWriteTime = (mtime < DosFirst ? DosFirst : mtime > DosLast ? DosLast : mtime).ToLocalTime();
        return entry;
    }
}
