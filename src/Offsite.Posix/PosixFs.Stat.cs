using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Offsite.Posix.Native;

namespace Offsite.Posix;

/// <summary>
/// Thin wrappers over glibc filesystem calls that take raw byte paths and report failures as
/// <see cref="PosixException"/>. Nothing follows symlinks unless the name says so, because a backup
/// must record and recreate links, not what they point at.
/// </summary>
public static unsafe partial class PosixFs
{
    /// <summary><c>lstat</c>: metadata of the path itself (a symlink is not followed). Allocation-free.</summary>
    public static FileStat LStat(ReadOnlySpan<byte> path)
    {
        StatBuffer st;
        int rc;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                rc = LibC.lstat(p, &st);
            }
        }
        if (rc != 0)
        {
            throw PosixException.FromLastError(path);
        }
        return st.ToFileStat();
    }

    /// <summary><c>fstat</c> on an open handle, e.g. to confirm a file did not change while it was read.</summary>
    public static FileStat FStat(SafeFileHandle h)
    {
        ArgumentNullException.ThrowIfNull(h);
        StatBuffer st;
        if (LibC.fstat(h, &st) != 0)
        {
            throw new PosixException(Marshal.GetLastPInvokeError(), "<fd>");
        }
        return st.ToFileStat();
    }

    /// <summary>
    /// Whether anything (including a dangling symlink) exists at the path. Only "not found" answers
    /// false; other failures such as EACCES throw, so a permission problem is not mistaken for absence.
    /// </summary>
    public static bool Exists(ReadOnlySpan<byte> path)
    {
        StatBuffer st;
        int rc;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                rc = LibC.lstat(p, &st);
            }
        }
        if (rc == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        // ENOTDIR: a leading component is a non-directory, so the path cannot exist either.
        if (errno is Errno.ENOENT or Errno.ENOTDIR)
        {
            return false;
        }
        throw new PosixException(errno, PosixPath.ToDisplay(path));
    }

    /// <summary><c>stat</c> (follows symlinks); internal because callers should reason about links explicitly.</summary>
    internal static bool TryStatFollow(ReadOnlySpan<byte> path, out FileStat stat)
    {
        StatBuffer st;
        int rc;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                rc = LibC.stat(p, &st);
            }
        }
        stat = rc == 0 ? st.ToFileStat() : default;
        return rc == 0;
    }
}
