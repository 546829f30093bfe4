using Offsite.Posix.Native;

namespace Offsite.Posix;

public static unsafe partial class PosixFs
{
    /// <summary>Removes a non-directory (a symlink itself, never its target).</summary>
    public static void Unlink(ReadOnlySpan<byte> path)
    {
        int rc;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                rc = LibC.unlink(p);
            }
        }
        ThrowIfFailed(rc, path);
    }

    /// <summary>Removes an empty directory.</summary>
    public static void RemoveDirectory(ReadOnlySpan<byte> path)
    {
        int rc;
        using (var native = new NativePath(path, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* p = native)
            {
                rc = LibC.rmdir(p);
            }
        }
        ThrowIfFailed(rc, path);
    }
}
