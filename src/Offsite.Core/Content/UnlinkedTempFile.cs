using Offsite.Posix;

namespace Offsite.Core.Content;

/// <summary>
/// A private (0600) scratch file without a name: the open handle keeps the data, and no crash can leave
/// the file behind. Open packs and the pack tables live in such files. Made with O_TMPFILE where the file
/// system supports it, so a local storage on the same file system can give a finished pack its name
/// instead of copying it (LocalStorage); elsewhere a named file is created and unlinked at once.
/// </summary>
internal static class UnlinkedTempFile
{
    /// <summary>Creates the file in <paramref name="directory"/> and opens it read-write and unbuffered
    /// (callers write in large blocks); <paramref name="prefix"/> names the short-lived fallback file.</summary>
    public static FileStream Create(string directory, string prefix)
    {
        if (PosixFs.TryCreateAnonymous(PosixPath.FromString(directory)) is { } anonymous)
        {
            return new FileStream(anonymous, FileAccess.ReadWrite, bufferSize: 0);
        }
        string path = Path.Combine(directory, $"{prefix}-{Guid.NewGuid():N}.tmp");
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        File.Delete(path);
        return file;
    }
}
