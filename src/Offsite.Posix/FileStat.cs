namespace Offsite.Posix;

/// <summary>The <c>lstat</c>/<c>fstat</c> fields a backup needs to reproduce a file faithfully.</summary>
/// <param name="Type">Object kind from the <c>S_IFMT</c> bits of <c>st_mode</c>.</param>
/// <param name="Permissions">Lower 12 bits of <c>st_mode</c>: rwx bits plus setuid, setgid and sticky.</param>
/// <param name="Uid">Owner user id.</param>
/// <param name="Gid">Owner group id.</param>
/// <param name="Size">Size in bytes (for symlinks: length of the target).</param>
/// <param name="Inode">Inode number; with <paramref name="Device"/> it identifies hard links.</param>
/// <param name="Device">Id of the device holding the file (<c>st_dev</c>).</param>
/// <param name="Links">Hard link count.</param>
/// <param name="MtimeNs">Modification time, nanoseconds since the Unix epoch.</param>
/// <param name="CtimeNs">Status change time, nanoseconds since the Unix epoch.</param>
/// <param name="AtimeNs">Access time, nanoseconds since the Unix epoch.</param>
/// <param name="Rdev">Device number for character and block devices (<c>st_rdev</c>).</param>
/// <param name="Blocks">512-byte blocks allocated; far fewer than <c>Size / 512</c> means the file is sparse.</param>
public readonly record struct FileStat(
    PosixFileType Type,
    uint Permissions,
    uint Uid,
    uint Gid,
    long Size,
    ulong Inode,
    ulong Device,
    ulong Links,
    long MtimeNs,
    long CtimeNs,
    long AtimeNs,
    ulong Rdev,
    long Blocks);
