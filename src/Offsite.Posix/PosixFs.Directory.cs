using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Offsite.Posix.Native;

namespace Offsite.Posix;

public static unsafe partial class PosixFs
{
    // Large enough that a directory of a few thousand entries needs only a handful of syscalls.
    private const int DirentBufferSize = 64 * 1024;

    // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
    private const int DirentReclenOffset = 16;
    private const int DirentTypeOffset = 18;
    private const int DirentNameOffset = 19;

    /// <summary>
    /// Lists a directory (following a symlink at <paramref name="path"/> itself, like opendir), without
    /// "." and "..", sorted by ordinal name bytes so the same tree always yields the same order.
    /// Uses getdents64 directly: one syscall per buffer of entries and one allocation per name.
    /// </summary>
    public static List<DirEntry> ReadDirectory(ReadOnlySpan<byte> path)
    {
        int fd = OpenDirectory(path);
        var entries = new List<DirEntry>();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(DirentBufferSize);
        try
        {
            fixed (byte* buf = buffer)
            {
                while (true)
                {
                    nint n = LibC.getdents64(fd, buf, (nuint)buffer.Length);
                    if (n < 0)
                    {
                        if (Marshal.GetLastPInvokeError() == Errno.EINTR)
                        {
                            continue;
                        }
                        throw PosixException.FromLastError(path);
                    }
                    if (n == 0)
                    {
                        break;
                    }
                    ParseDirents(new ReadOnlySpan<byte>(buf, (int)n), entries);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            // A failed close of a read-only directory fd loses nothing, and Linux must not retry it.
            _ = LibC.close(fd);
        }
        entries.Sort(DirEntryNameComparer.Instance);
        return entries;
    }

    private static int OpenDirectory(ReadOnlySpan<byte> path)
    {
        int fd;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                fd = LibC.open(p, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
            }
        }
        if (fd < 0)
        {
            throw PosixException.FromLastError(path);
        }
        return fd;
    }

    private static void ParseDirents(ReadOnlySpan<byte> data, List<DirEntry> entries)
    {
        while (!data.IsEmpty)
        {
            int reclen = BinaryPrimitives.ReadUInt16LittleEndian(data[DirentReclenOffset..]);
            byte dType = data[DirentTypeOffset];
            // d_name is NUL-terminated and then padded to 8-byte alignment within reclen.
            var nameField = data[DirentNameOffset..reclen];
            var name = nameField[..nameField.IndexOf((byte)0)];
            if (!IsDotOrDotDot(name))
            {
                entries.Add(new DirEntry(name.ToArray(), ModeBits.TypeFromDirentType(dType)));
            }
            data = data[reclen..];
        }
    }

    private static bool IsDotOrDotDot(ReadOnlySpan<byte> name) =>
        name.Length switch
        {
            1 => name[0] == (byte)'.',
            2 => name[0] == (byte)'.' && name[1] == (byte)'.',
            _ => false,
        };

    private sealed class DirEntryNameComparer : IComparer<DirEntry>
    {
        public static readonly DirEntryNameComparer Instance = new();

        public int Compare(DirEntry x, DirEntry y) => x.Name.AsSpan().SequenceCompareTo(y.Name);
    }
}
