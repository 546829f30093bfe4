using System.Buffers;
using Offsite.Posix.Native;

namespace Offsite.Posix;

public static unsafe partial class PosixFs
{
    // Linux caps symlink targets at PATH_MAX, so this first attempt nearly always suffices.
    private const int ReadLinkStackSize = 1024;

    /// <summary>The symlink's target exactly as stored (raw bytes, not resolved, may dangle).</summary>
    public static byte[] ReadLink(ReadOnlySpan<byte> path)
    {
        using var native = new NativePath(path, stackalloc byte[NativePath.StackSize]);
        Span<byte> stackBuf = stackalloc byte[ReadLinkStackSize];
        fixed (byte* p = native)
        {
            nint n = ReadLinkInto(p, stackBuf);
            if (n < 0)
            {
                throw PosixException.FromLastError(path);
            }
            if (n < stackBuf.Length)
            {
                return stackBuf[..(int)n].ToArray();
            }

            // readlink truncates silently; a full buffer means "maybe longer", so grow until it is not.
            for (int size = stackBuf.Length * 4; ; size *= 2)
            {
                byte[] rented = ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    n = ReadLinkInto(p, rented);
                    if (n < 0)
                    {
                        throw PosixException.FromLastError(path);
                    }
                    if (n < rented.Length)
                    {
                        return rented.AsSpan(0, (int)n).ToArray();
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
    }

    private static nint ReadLinkInto(byte* path, Span<byte> buffer)
    {
        fixed (byte* b = buffer)
        {
            return LibC.readlink(path, b, (nuint)buffer.Length);
        }
    }

    /// <summary>Creates <paramref name="linkPath"/> pointing at <paramref name="target"/> (stored verbatim, need not exist).</summary>
    public static void Symlink(ReadOnlySpan<byte> target, ReadOnlySpan<byte> linkPath) =>
        ThrowIfFailed(CallWithTwoPaths(&LibC.symlink, target, linkPath), linkPath);

    /// <summary>Creates a hard link. link(2) does not follow a symlink at <paramref name="existing"/> on Linux, so links to symlinks are preserved too.</summary>
    public static void Link(ReadOnlySpan<byte> existing, ReadOnlySpan<byte> newPath) =>
        ThrowIfFailed(CallWithTwoPaths(&LibC.link, existing, newPath), newPath);

    /// <summary>Calls a libc function that takes two paths (link, symlink, rename) with both NUL-terminated.</summary>
    internal static int CallWithTwoPaths(delegate*<byte*, byte*, int> call, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        using var a = new NativePath(first, stackalloc byte[NativePath.StackSize]);
        using var b = new NativePath(second, stackalloc byte[NativePath.StackSize]);
        fixed (byte* ap = a)
        fixed (byte* bp = b)
        {
            return call(ap, bp);
        }
    }
}
