using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Offsite.Posix.Native;

namespace Offsite.Posix;

public static unsafe partial class PosixFs
{
    /// <summary>
    /// pwrite(2) of all of <paramref name="data"/> at <paramref name="offset"/> (short writes continued,
    /// EINTR retried). Unlike RandomAccess.Write it costs no lseek to learn whether the handle can seek:
    /// one system call per write. <paramref name="path"/> only names the file in an error.
    /// </summary>
    public static void WriteAt(SafeFileHandle file, ReadOnlySpan<byte> data, long offset, ReadOnlySpan<byte> path)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        fixed (byte* start = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = LibC.pwrite(file, start + done, (nuint)(data.Length - done), offset + done);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                    throw PosixException.FromLastError(path);
                }
                done += (int)n;
            }
        }
    }

    /// <summary>ftruncate(2): sets the file's length, extending it with a hole or cutting it short.</summary>
    public static void SetLength(SafeFileHandle file, long length, ReadOnlySpan<byte> path)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int rc;
        while ((rc = LibC.ftruncate(file, length)) != 0 && Marshal.GetLastPInvokeError() == Errno.EINTR)
        {
        }
        ThrowIfFailed(rc, path);
    }
}
