using System.Runtime.InteropServices;
using Offsite.Posix.Native;

namespace Offsite.Posix;

public static unsafe partial class PosixFs
{
    private const uint DefaultDirectoryPermissions = 0x1ED; // 0755, like mkdir -p

    /// <summary>
    /// mkdir. With <paramref name="existOk"/>, an existing real directory is accepted, but an existing
    /// symlink (even to a directory) or other file still throws EEXIST: a restore must not be steered
    /// through a planted link. Permissions are filtered by the umask; chmod afterwards for exact bits.
    /// Returns true when this call made the directory (it is empty), false when one was there.
    /// </summary>
    public static bool MakeDirectory(ReadOnlySpan<byte> path, uint permissions, bool existOk)
    {
        int rc = Mkdir(path, permissions & ModeBits.PermissionMask);
        if (rc == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Errno.EEXIST && existOk && IsRealDirectory(path))
        {
            return false;
        }
        throw new PosixException(errno, PosixPath.ToDisplay(path));
    }

    /// <summary>
    /// mkdir -p with mode 0755 (minus umask) for every directory it creates. Like mkdir -p, existing
    /// components may be symlinks to directories, since this is for destination roots and their parents.
    /// </summary>
    public static void MakeDirectories(ReadOnlySpan<byte> path)
    {
        path = TrimTrailingSlashes(path);
        if (path.IsEmpty)
        {
            return; // "/" or "": nothing to create.
        }
        if (Mkdir(path, DefaultDirectoryPermissions) == 0)
        {
            return;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Errno.ENOENT)
        {
            int slash = path.LastIndexOf((byte)'/');
            if (slash > 0)
            {
                MakeDirectories(path[..slash]);
                if (Mkdir(path, DefaultDirectoryPermissions) == 0)
                {
                    return;
                }
                errno = Marshal.GetLastPInvokeError();
            }
        }
        // EEXIST also covers losing a race with a concurrent creator, which is fine if it made a directory.
        if (errno == Errno.EEXIST && TryStatFollow(path, out var st) && st.Type == PosixFileType.Directory)
        {
            return;
        }
        throw new PosixException(errno, PosixPath.ToDisplay(path));
    }

    /// <summary>Creates a named pipe. Permissions are filtered by the umask.</summary>
    public static void MakeFifo(ReadOnlySpan<byte> path, uint permissions)
    {
        int rc;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                rc = LibC.mkfifo(p, permissions & ModeBits.PermissionMask);
            }
        }
        ThrowIfFailed(rc, path);
    }

    /// <summary>
    /// mknod for <see cref="PosixFileType.CharDevice"/> or <see cref="PosixFileType.BlockDevice"/>
    /// (needs CAP_MKNOD), also accepting Fifo and Socket nodes. <paramref name="rdev"/> is the raw
    /// <c>st_rdev</c> as reported by <see cref="LStat"/>, so it round-trips without major/minor math.
    /// </summary>
    public static void MakeDevice(ReadOnlySpan<byte> path, PosixFileType type, uint permissions, ulong rdev)
    {
        uint format = type switch
        {
            PosixFileType.CharDevice => ModeBits.S_IFCHR,
            PosixFileType.BlockDevice => ModeBits.S_IFBLK,
            PosixFileType.Fifo => ModeBits.S_IFIFO,
            PosixFileType.Socket => ModeBits.S_IFSOCK,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "mknod cannot create this file type."),
        };
        int rc;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                rc = LibC.mknod(p, format | (permissions & ModeBits.PermissionMask), rdev);
            }
        }
        ThrowIfFailed(rc, path);
    }

    private static int Mkdir(ReadOnlySpan<byte> path, uint mode)
    {
        using var native = new NativePath(path, stackalloc byte[NativePath.StackSize]);
        fixed (byte* p = native)
        {
            return LibC.mkdir(p, mode);
        }
    }

    private static bool IsRealDirectory(ReadOnlySpan<byte> path)
    {
        StatBuffer st;
        using var native = new NativePath(path, stackalloc byte[NativePath.StackSize]);
        fixed (byte* p = native)
        {
            return LibC.lstat(p, &st) == 0 && (st.st_mode & ModeBits.S_IFMT) == ModeBits.S_IFDIR;
        }
    }

    private static ReadOnlySpan<byte> TrimTrailingSlashes(ReadOnlySpan<byte> path)
    {
        while (!path.IsEmpty && path[^1] == (byte)'/')
        {
            path = path[..^1];
        }
        return path;
    }
}
