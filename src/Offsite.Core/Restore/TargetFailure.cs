using Offsite.Core.Errors;

namespace Offsite.Core.Restore;

/// <summary>
/// Failures of the restore target as a whole (disk full, quota, read-only or failing file system), as
/// opposed to one file that cannot be written: those stop the restore with exit 6, since every file
/// after them would fail the same way, and the repository is not at fault.
/// </summary>
public static class TargetFailure
{
    // Linux errno values, as PosixException and the BCL's Unix IOException carry them in HResult.
    private const int EIO = 5;
    private const int EFBIG = 27;
    private const int ENOSPC = 28;
    private const int EROFS = 30;
    private const int EDQUOT = 122;

    public static bool Is(Exception e) => e is IOException && e.HResult is ENOSPC or EDQUOT or EROFS or EIO or EFBIG;

    /// <summary>The one message a user reads: how far the restore got, and that the repository is fine.</summary>
    public static OffsiteException Describe(Exception e, long files, long bytes, string target)
    {
        string progress = $"after {files} files / {bytes / (1024.0 * 1024.0):0.0} MiB";
        string message = e.HResult is ENOSPC or EDQUOT
            ? $"target file system full {progress} ({target}); nothing else is wrong with the repository. Files not finished were removed; free space and restore again"
            : $"cannot write to the target {progress} ({e.Message}); nothing is wrong with the repository. Files not finished were removed";
        return new OffsiteException(ErrorKind.Io, message, e);
    }
}
