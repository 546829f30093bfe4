using System.Runtime.InteropServices;
using Offsite.Core.Storage;

namespace Offsite.Storage.Local;

/// <summary>libc calls the BCL does not offer: link(2), the atomic create-if-absent on POSIX file systems.</summary>
internal static partial class Native
{
    private const int EEXIST = 17;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string existing, string newPath);

    /// <summary>Hard-links <paramref name="existing"/> to <paramref name="newPath"/>; false when newPath exists.</summary>
    public static bool Link(string existing, string newPath)
    {
        if (LinkNative(existing, newPath) == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST)
        {
            return false;
        }
        throw new StorageException($"creating {newPath}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }
}
