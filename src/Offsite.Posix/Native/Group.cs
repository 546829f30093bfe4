namespace Offsite.Posix.Native;

/// <summary>glibc x86_64 <c>struct group</c>; strings point into the caller's buffer.</summary>
internal unsafe struct Group
{
    public byte* gr_name;
    public byte* gr_passwd;
    public uint gr_gid;
    public byte** gr_mem;
}
