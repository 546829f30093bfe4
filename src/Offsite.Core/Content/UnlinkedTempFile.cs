namespace Offsite.Core.Content;

/// <summary>
/// A private (0600) scratch file that is unlinked as soon as it is created: the open handle keeps the
/// data, and no crash can leave the file behind. Open packs and the pack tables live in such files.
/// </summary>
internal static class UnlinkedTempFile
{
    /// <summary>Creates <c>&lt;prefix&gt;-&lt;guid&gt;.tmp</c> in <paramref name="directory"/>, opens it
    /// read-write and unbuffered (callers write in large blocks), and unlinks it.</summary>
    public static FileStream Create(string directory, string prefix)
    {
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
