using System.Formats.Tar;
using Offsite.Core.Content;
using Offsite.Core.Trees;

namespace Offsite.App.Dump;

/// <summary>
/// Writes a snapshot's tree as a tar stream (what the Engine API's archive endpoint unpacks into a
/// volume). Files are streamed blob by blob with a few loaded ahead; nothing is held whole.
/// Hard links are written as separate files.
/// </summary>
public static class SnapshotTar
{
    public static Task<(long Files, long Directories, long Bytes)> WriteAsync(BlobLoader loader, string rootTree, Stream output, CancellationToken ct) =>
        WriteAsync(loader, new TreeWalker(loader).WalkAsync(rootTree, "", ct), output, ct);

    /// <summary>Writes the given entries (snapshot paths, parents before children), named without the leading '/'.</summary>
    public static async Task<(long Files, long Directories, long Bytes)> WriteAsync(BlobLoader loader, IAsyncEnumerable<(string Path, Node Node)> entries, Stream output, CancellationToken ct)
    {
        long files = 0, directories = 0, bytes = 0;
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await foreach (var (path, node) in entries.ConfigureAwait(false))
        {
            string name = path.TrimStart('/');
            var entry = new PaxTarEntry(node.Type switch
            {
                NodeType.Directory => TarEntryType.Directory,
                NodeType.Symlink => TarEntryType.SymbolicLink,
                NodeType.Fifo => TarEntryType.Fifo,
                NodeType.CharDevice => TarEntryType.CharacterDevice,
                NodeType.BlockDevice => TarEntryType.BlockDevice,
                NodeType.Socket => TarEntryType.RegularFile, // tar has no sockets; skipped below
                _ => TarEntryType.RegularFile,
            }, node.Type == NodeType.Directory ? name + "/" : name)
            {
                Mode = (UnixFileMode)(node.Mode & 0xFFF),
                Uid = (int)node.Uid,
                Gid = (int)node.Gid,
                ModificationTime = DateTimeOffset.UnixEpoch.AddTicks(node.MtimeNs / 100),
            };
            if (node.User is { } user) entry.UserName = user;
            if (node.Group is { } group) entry.GroupName = group;
            switch (node.Type)
            {
                case NodeType.Socket:
                    continue; // sockets are made by the program that listens on them
                case NodeType.Directory:
                    directories++;
                    await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    break;
                case NodeType.Symlink:
                    entry.LinkName = node.LinkTarget ?? node.DisplayName;
                    await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    break;
                case NodeType.CharDevice or NodeType.BlockDevice:
                    ulong rdev = node.Rdev ?? 0;
                    entry.DeviceMajor = (int)(((rdev >> 32) & 0xfffff000) | ((rdev >> 8) & 0xfff));
                    entry.DeviceMinor = (int)(((rdev >> 12) & 0xffffff00) | (rdev & 0xff));
                    await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    break;
                case NodeType.File:
                    files++;
                    bytes += node.Size;
                    await using (var data = new BlobContentStream(loader, node.Content ?? [], node.Size, path, ct))
                    {
                        entry.DataStream = data;
                        await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                        data.EnsureComplete();
                    }
                    break;
                default:
                    await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    break;
            }
        }
        return (files, directories, bytes);
    }
}
