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
}
