using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Offsite.Sources.Docker;

/// <summary>libc calls the stop records need and the BCL does not offer: flock(2), and fsync(2) of a directory.</summary>
internal static partial class StopRecordNative
{
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int EWOULDBLOCK = 11;
    private const int O_RDONLY = 0;
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;
    private const int O_DIRECTORY = 0x10000;
    private const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    /// <summary>
    /// Opens (creating, mode 0600) a lock file. Not through FileStream: on Unix it takes a flock of its
    /// own at open time and fails when another process holds one, which would read as an I/O error.
    /// </summary>
    public static SafeFileHandle OpenLockFile(string path)
    {
        int fd = Open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0x180);
        if (fd < 0) throw new IOException($"opening {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Takes an exclusive flock without waiting; false when another open file holds it.</summary>
    public static bool TryLockExclusive(SafeFileHandle file, string path)
    {
        if (Flock(file, LOCK_EX | LOCK_NB) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EWOULDBLOCK) return false;
        throw new IOException($"locking {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Makes a rename inside <paramref name="directory"/> durable.</summary>
    public static void SyncDirectory(string directory)
    {
        int fd = Open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0) throw new IOException($"opening {directory}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"syncing {directory}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            Close(fd);
        }
    }
}
