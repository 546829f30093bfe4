using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Offsite.Posix.Native;

/// <summary>
/// Direct glibc imports. Paths are raw NUL-terminated bytes because names need not be UTF-8.
/// Uses the plain symbols glibc 2.33+ exports (lstat, fstat, mknod...) rather than the older
/// versioned __lxstat family. "libc" is resolved by the runtime to the platform C library.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int clock_gettime(int clockId, Timespec* time);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int lstat(byte* path, StatBuffer* buf);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int stat(byte* path, StatBuffer* buf);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fstat(SafeFileHandle fd, StatBuffer* buf);

    // open is variadic in C; on x86_64 a trailing int mode is passed in a register exactly as for a
    // non-variadic call, and the kernel ignores it without O_CREAT, so one signature serves both uses.
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int open(byte* path, int flags, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint getdents64(int fd, byte* dirp, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint readlink(byte* path, byte* buf, nuint bufsiz);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int symlink(byte* target, byte* linkpath);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int link(byte* oldpath, byte* newpath);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int linkat(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int mkdir(byte* path, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int mkfifo(byte* path, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int mknod(byte* path, uint mode, ulong dev);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int chmod(byte* path, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int lchown(byte* path, uint owner, uint group);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pwrite(SafeFileHandle fd, byte* buf, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ftruncate(SafeFileHandle fd, long length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fchmod(SafeFileHandle fd, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fchown(SafeFileHandle fd, uint owner, uint group);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int futimens(SafeFileHandle fd, Timespec* times);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int utimensat(int dirfd, byte* path, Timespec* times, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int unlink(byte* path);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int rename(byte* oldpath, byte* newpath);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int rmdir(byte* path);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nuint count);

    /// <summary>fcntl with an int argument (F_GETFL, F_SETFL, F_SETPIPE_SZ, F_GETPIPE_SZ).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Lib)]
    public static partial uint geteuid();

    // The *_r lookups return an error number directly instead of setting errno.
    [LibraryImport(Lib)]
    public static partial int getpwuid_r(uint uid, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);

    [LibraryImport(Lib)]
    public static partial int getpwnam_r(byte* name, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);

    [LibraryImport(Lib)]
    public static partial int getgrgid_r(uint gid, Group* grp, byte* buf, nuint buflen, Group** result);

    [LibraryImport(Lib)]
    public static partial int getgrnam_r(byte* name, Group* grp, byte* buf, nuint buflen, Group** result);
}
