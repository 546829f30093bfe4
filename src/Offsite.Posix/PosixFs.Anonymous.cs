using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Offsite.Posix.Native;

namespace Offsite.Posix;

public static unsafe partial class PosixFs
{
    /// <summary>
    /// Creates a private (0600) file with no name in <paramref name="directory"/>'s file system
    /// (O_TMPFILE): nothing to clean up after a crash, and <see cref="TryLinkAnonymous"/> can give it a
    /// name later, so a file written here need not be copied to where it belongs. Null when the file
    /// system or kernel does not support it (the caller creates and unlinks a named file instead).
    /// </summary>
    public static SafeFileHandle? TryCreateAnonymous(ReadOnlySpan<byte> directory)
    {
        const int Flags = OpenFlags.O_TMPFILE | OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC;
        int fd = Open(directory, Flags, 0x180);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno is Errno.EOPNOTSUPP or Errno.EISDIR or Errno.EINVAL)
        {
            return null;
        }
        throw PosixException.FromLastError(directory);
    }

    /// <summary>
    /// Gives a file made by <see cref="TryCreateAnonymous"/> the name <paramref name="path"/> (which must
    /// not exist). False when it is not such a file (it has a name, or was unlinked rather than made with
    /// O_TMPFILE: ENOENT) or cannot be linked there (another file system: EXDEV); the caller copies it instead.
    /// </summary>
    public static bool TryLinkAnonymous(SafeFileHandle file, ReadOnlySpan<byte> path)
    {
        if (FStat(file).Links != 0)
        {
            return false; // a named file: linking it would share its inode with whoever else names it
        }
        // linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the /proc/self/fd link works for any owner.
        using var source = new NativePath(System.Text.Encoding.ASCII.GetBytes($"/proc/self/fd/{file.DangerousGetHandle()}"), stackalloc byte[NativePath.StackSize]);
        using var target = new NativePath(path, stackalloc byte[NativePath.StackSize]);
        fixed (byte* s = source)
        fixed (byte* t = target)
        {
            if (LibC.linkat(OpenFlags.AT_FDCWD, s, OpenFlags.AT_FDCWD, t, OpenFlags.AT_SYMLINK_FOLLOW) == 0)
            {
                return true;
            }
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno is Errno.EXDEV or Errno.ENOENT)
        {
            return false;
        }
        throw PosixException.FromLastError(path);
    }
}
