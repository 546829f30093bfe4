using System.Runtime.InteropServices;

namespace Offsite.Posix.Native;

/// <summary>glibc's x86_64 <c>struct stat</c> (144 bytes), as filled by <c>lstat</c>/<c>fstat</c>.</summary>
[StructLayout(LayoutKind.Sequential, Size = 144)]
internal struct StatBuffer
{
    public ulong st_dev;
    public ulong st_ino;
    public ulong st_nlink;
    public uint st_mode;
    public uint st_uid;
    public uint st_gid;
    public int __pad0;
    public ulong st_rdev;
    public long st_size;
    public long st_blksize;
    public long st_blocks;
    public Timespec st_atim;
    public Timespec st_mtim;
    public Timespec st_ctim;
    // Followed by long __glibc_reserved[3]; covered by Size = 144.

    public readonly FileStat ToFileStat() => new(
        ModeBits.TypeFromMode(st_mode),
        st_mode & ModeBits.PermissionMask,
        st_uid,
        st_gid,
        st_size,
        st_ino,
        st_dev,
        st_nlink,
        st_mtim.ToUnixNanoseconds(),
        st_ctim.ToUnixNanoseconds(),
        st_atim.ToUnixNanoseconds(),
        st_rdev,
        st_blocks);
}
