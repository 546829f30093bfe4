using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Offsite.Posix.Native;

namespace Offsite.Posix;

public static unsafe partial class PosixFs
{
    /// <summary>
    /// Opens a file for reading without following a final symlink (fails with ELOOP on one), so a
    /// link swapped in after the walk cannot redirect the backup to another file. Tries O_NOATIME
    /// first so backing up does not touch access times; the kernel refuses it with EPERM unless we
    /// own the file or are privileged, in which case we open normally.
    /// Do not call on FIFOs: opening one for reading blocks until a writer appears.
    /// </summary>
    public static SafeFileHandle OpenRead(ReadOnlySpan<byte> path)
    {
        const int Flags = OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC;
        int fd = Open(path, Flags | OpenFlags.O_NOATIME, 0);
        if (fd < 0 && Marshal.GetLastPInvokeError() == Errno.EPERM)
        {
            fd = Open(path, Flags, 0);
        }
        if (fd < 0)
        {
            throw PosixException.FromLastError(path);
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// Creates or truncates a file for writing, refusing to write through a symlink at the final
    /// component. <paramref name="permissions"/> is filtered by the umask like any open(2); call
    /// <see cref="Chmod"/> afterwards for exact bits. The handle works with RandomAccess and FileStream.
    /// </summary>
    public static SafeFileHandle CreateFile(ReadOnlySpan<byte> path, uint permissions)
    {
        const int Flags = OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_TRUNC | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC;
        return OpenHandle(path, Flags, permissions & ModeBits.PermissionMask);
    }

    /// <summary>
    /// Creates a file that must not exist yet (O_CREAT|O_EXCL, which also refuses any symlink there),
    /// for writing: one open, no truncation of something that was never there. Throws EEXIST when the
    /// name is taken. <paramref name="permissions"/> is filtered by the umask.
    /// </summary>
    public static SafeFileHandle CreateNewFile(ReadOnlySpan<byte> path, uint permissions)
    {
        const int Flags = OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC;
        return OpenHandle(path, Flags, permissions & ModeBits.PermissionMask);
    }

    /// <summary>
    /// Opens an existing regular file for writing without truncating it (for writing blobs into a
    /// file at their offsets, in any order). Refuses a symlink at the final component.
    /// </summary>
    public static SafeFileHandle OpenWrite(ReadOnlySpan<byte> path)
    {
        const int Flags = OpenFlags.O_WRONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC;
        return OpenHandle(path, Flags, 0);
    }

    /// <summary>open(2) as an owned handle, or the failure as a <see cref="PosixException"/> naming the path.</summary>
    private static SafeFileHandle OpenHandle(ReadOnlySpan<byte> path, int flags, uint mode)
    {
        int fd = Open(path, flags, mode);
        if (fd < 0)
        {
            throw PosixException.FromLastError(path);
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>open(2) returning the raw result; the caller reads errno on failure.</summary>
    private static int Open(ReadOnlySpan<byte> path, int flags, uint mode)
    {
        using var native = new NativePath(path, stackalloc byte[NativePath.StackSize]);
        fixed (byte* p = native)
        {
            return LibC.open(p, flags, mode);
        }
    }
}
