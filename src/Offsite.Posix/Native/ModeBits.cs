namespace Offsite.Posix.Native;

/// <summary>Translation between <c>st_mode</c> / <c>d_type</c> encodings and <see cref="PosixFileType"/>.</summary>
internal static class ModeBits
{
    public const uint S_IFMT = 0xF000;
    public const uint S_IFSOCK = 0xC000;
    public const uint S_IFLNK = 0xA000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFBLK = 0x6000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFIFO = 0x1000;

    /// <summary>rwx for user/group/other plus setuid, setgid and sticky.</summary>
    public const uint PermissionMask = 0xFFF;

    public static PosixFileType TypeFromMode(uint mode) => (mode & S_IFMT) switch
    {
        S_IFREG => PosixFileType.Regular,
        S_IFDIR => PosixFileType.Directory,
        S_IFLNK => PosixFileType.Symlink,
        S_IFIFO => PosixFileType.Fifo,
        S_IFSOCK => PosixFileType.Socket,
        S_IFCHR => PosixFileType.CharDevice,
        S_IFBLK => PosixFileType.BlockDevice,
        _ => PosixFileType.Unknown,
    };

    /// <summary>Maps <c>d_type</c> (DT_* from dirent.h) to a type; DT_UNKNOWN and anything odd map to Unknown.</summary>
    public static PosixFileType TypeFromDirentType(byte dType) => dType switch
    {
        1 => PosixFileType.Fifo,         // DT_FIFO
        2 => PosixFileType.CharDevice,   // DT_CHR
        4 => PosixFileType.Directory,    // DT_DIR
        6 => PosixFileType.BlockDevice,  // DT_BLK
        8 => PosixFileType.Regular,      // DT_REG
        10 => PosixFileType.Symlink,     // DT_LNK
        12 => PosixFileType.Socket,      // DT_SOCK
        _ => PosixFileType.Unknown,
    };
}
