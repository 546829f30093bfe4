using Offsite.Posix.Native;

namespace Offsite.Posix;

public static unsafe partial class PosixFs
{
    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, atomically replacing a non-directory there (rename(2)).</summary>
    public static void Rename(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to) =>
        ThrowIfFailed(CallWithTwoPaths(&LibC.rename, from, to), to);
}
