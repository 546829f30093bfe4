using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Offsite.Posix.Native;

namespace Offsite.Posix;

public static unsafe partial class PosixFs
{
    /// <summary>
    /// chmod, including setuid/setgid/sticky bits. Follows symlinks (Linux cannot chmod a link
    /// itself), so never call it on a symlink path. Set ownership first: chown clears setuid/setgid.
    /// </summary>
    public static void Chmod(ReadOnlySpan<byte> path, uint permissions)
    {
        int rc;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                rc = LibC.chmod(p, permissions & ModeBits.PermissionMask);
            }
        }
        ThrowIfFailed(rc, path);
    }

    /// <summary>lchown: changes the owner of the path itself, symlinks included.</summary>
    public static void LChown(ReadOnlySpan<byte> path, uint uid, uint gid)
    {
        int rc;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                rc = LibC.lchown(p, uid, gid);
            }
        }
        ThrowIfFailed(rc, path);
    }

    /// <summary>
    /// Sets access and modification times with nanosecond precision on the path itself
    /// (utimensat with AT_SYMLINK_NOFOLLOW), so it works on symlinks without touching their targets.
    /// </summary>
    public static void SetTimes(ReadOnlySpan<byte> path, long atimeNs, long mtimeNs)
    {
        Timespec* times = stackalloc Timespec[2];
        times[0] = Timespec.FromUnixNanoseconds(atimeNs);
        times[1] = Timespec.FromUnixNanoseconds(mtimeNs);
        int rc;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                rc = LibC.utimensat(OpenFlags.AT_FDCWD, p, times, OpenFlags.AT_SYMLINK_NOFOLLOW);
            }
        }
        ThrowIfFailed(rc, path);
    }

    // The same three on an open file: no path lookup per call, and they cannot be redirected to
    // another file by a rename or a planted link between the write and the metadata.

    /// <summary>fchmod, including setuid/setgid/sticky bits. Set ownership first: fchown clears setuid/setgid.</summary>
    public static void Chmod(SafeFileHandle file, uint permissions)
    {
        ArgumentNullException.ThrowIfNull(file);
        ThrowIfFailed(LibC.fchmod(file, permissions & ModeBits.PermissionMask));
    }

    /// <summary>fchown: changes the owner of the open file.</summary>
    public static void Chown(SafeFileHandle file, uint uid, uint gid)
    {
        ArgumentNullException.ThrowIfNull(file);
        ThrowIfFailed(LibC.fchown(file, uid, gid));
    }

    /// <summary>futimens: sets access and modification times of the open file with nanosecond precision.</summary>
    public static void SetTimes(SafeFileHandle file, long atimeNs, long mtimeNs)
    {
        ArgumentNullException.ThrowIfNull(file);
        Timespec* times = stackalloc Timespec[2];
        times[0] = Timespec.FromUnixNanoseconds(atimeNs);
        times[1] = Timespec.FromUnixNanoseconds(mtimeNs);
        ThrowIfFailed(LibC.futimens(file, times));
    }

    private static void ThrowIfFailed(int rc)
    {
        if (rc != 0)
        {
            throw new PosixException(Marshal.GetLastPInvokeError(), "<fd>");
        }
    }
}
