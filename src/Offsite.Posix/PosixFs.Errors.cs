namespace Offsite.Posix;

public static partial class PosixFs
{
    /// <summary>Turns a libc "0 or -1 with errno" result into an exception naming <paramref name="path"/>.</summary>
    private static void ThrowIfFailed(int rc, ReadOnlySpan<byte> path)
    {
        if (rc != 0)
        {
            throw PosixException.FromLastError(path);
        }
    }
}
