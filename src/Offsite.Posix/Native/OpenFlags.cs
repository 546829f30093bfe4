namespace Offsite.Posix.Native;

/// <summary><c>open(2)</c> flags and <c>*at</c> constants with their x86_64 Linux values.</summary>
internal static class OpenFlags
{
    public const int O_RDONLY = 0x0;
    public const int O_WRONLY = 0x1;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_TRUNC = 0x200;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_NOATIME = 0x40000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_RDWR = 0x2;
    /// <summary>__O_TMPFILE | O_DIRECTORY: an unnamed file in the given directory's file system.</summary>
    public const int O_TMPFILE = 0x410000;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_SYMLINK_FOLLOW = 0x400;
}
