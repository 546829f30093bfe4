using Offsite.Posix.Native;

namespace Offsite.Posix;

public static unsafe partial class PosixFs
{
    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, atomically replacing a non-directory there (rename(2)).</summary>
    public static void Rename(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        int rc;
        using (var f = new NativePath(from, stackalloc byte[NativePath.StackSize]))
        using (var t = new NativePath(to, stackalloc byte[NativePath.StackSize]))
        {
            fixed (byte* fp = f)
            fixed (byte* tp = t)
            {
                rc = LibC.rename(fp, tp);
            }
        }
        ThrowIfFailed(rc, to);
    }
}
