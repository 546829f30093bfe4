using System.Buffers;
using Offsite.Core.Content;
using Offsite.Core.Trees;
using Offsite.Posix;

namespace Offsite.Core.Restore;

/// <summary>What is at a path a restore is about to write, and what the overwrite policy makes of it.</summary>
public enum ExistingEntry
{
    /// <summary>Nothing there (or a directory, which is merged into, never replaced).</summary>
    Absent,
    /// <summary>Something there that the restore replaces.</summary>
    Replace,
    /// <summary>Something there that the policy keeps as it is.</summary>
    Keep,
    /// <summary>Already the snapshot's content (<see cref="OverwritePolicy.IfChanged"/>): kept, metadata restored.</summary>
    Unchanged,
}

/// <summary>
/// Applies an <see cref="OverwritePolicy"/> to what exists at a restore path. <c>if-changed</c> compares
/// content, not size and mtime: the existing file is read in the snapshot's blob boundaries and each
/// piece's keyed blob id compared with the snapshot's, so a file changed within the same second (or with
/// its mtime reset) is still replaced. It costs one read of each same-sized existing file.
/// </summary>
public sealed class ExistingEntryCheck(OverwritePolicy policy, byte[] blobIdKey)
{
    public OverwritePolicy Policy => policy;

    /// <param name="blobs">a file's content blobs and their plaintext lengths, in order (empty for other types)</param>
    public ExistingEntry Decide(byte[] path, Node node, IReadOnlyList<(BlobId Id, int Length)> blobs)
    {
        FileStat existing;
        try
        {
            existing = PosixFs.LStat(path);
        }
        catch (PosixException e) when (e.IsNotFound)
        {
            return ExistingEntry.Absent;
        }
        if (existing.Type == PosixFileType.Directory)
        {
            return ExistingEntry.Absent;
        }
        return policy switch
        {
            OverwritePolicy.Never => ExistingEntry.Keep,
            OverwritePolicy.IfNewer => node.MtimeNs > existing.MtimeNs ? ExistingEntry.Replace : ExistingEntry.Keep,
            OverwritePolicy.IfChanged => SameAsSnapshot(path, existing, node, blobs) ? ExistingEntry.Unchanged : ExistingEntry.Replace,
            _ => ExistingEntry.Replace,
        };
    }

    private bool SameAsSnapshot(byte[] path, FileStat existing, Node node, IReadOnlyList<(BlobId Id, int Length)> blobs) => node.Type switch
    {
        NodeType.File => existing.Type == PosixFileType.Regular && existing.Size == blobs.Sum(b => (long)b.Length) && SameContent(path, blobs),
        NodeType.Symlink => existing.Type == PosixFileType.Symlink && PosixFs.ReadLink(path).AsSpan().SequenceEqual(node.RawLinkTarget),
        NodeType.Fifo => existing.Type == PosixFileType.Fifo,
        NodeType.Socket => existing.Type == PosixFileType.Socket,
        NodeType.CharDevice => existing.Type == PosixFileType.CharDevice && existing.Rdev == (node.Rdev ?? 0),
        NodeType.BlockDevice => existing.Type == PosixFileType.BlockDevice && existing.Rdev == (node.Rdev ?? 0),
        _ => false,
    };

    private bool SameContent(byte[] path, IReadOnlyList<(BlobId Id, int Length)> blobs)
    {
        if (blobs.Count == 0)
        {
            return true;
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(blobs.Max(b => b.Length));
        try
        {
            using var handle = PosixFs.OpenRead(path);
            long offset = 0;
            foreach (var (id, length) in blobs)
            {
                int read = 0;
                while (read < length)
                {
                    int n = RandomAccess.Read(handle, buffer.AsSpan(read, length - read), offset + read);
                    if (n == 0) return false; // shrank while being read
                    read += n;
                }
                if (BlobId.Compute(blobIdKey, buffer.AsSpan(0, length)) != id) return false;
                offset += length;
            }
            return true;
        }
        catch (Exception e) when (e is PosixException or IOException or UnauthorizedAccessException)
        {
            return false; // unreadable: replace it (the write reports it if the path is unusable)
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
