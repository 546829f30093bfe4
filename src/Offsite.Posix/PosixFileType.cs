namespace Offsite.Posix;

/// <summary>The kind of a filesystem object, as encoded in <c>st_mode</c> or <c>d_type</c>.</summary>
public enum PosixFileType
{
    /// <summary>Not known: an unrecognised mode, or a filesystem that does not report <c>d_type</c>.</summary>
    Unknown,
    Regular,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
}
