namespace Offsite.Posix.Native;

/// <summary>glibc x86_64 <c>struct passwd</c>; strings point into the caller's buffer.</summary>
internal unsafe struct Passwd
{
    public byte* pw_name;
    public byte* pw_passwd;
    public uint pw_uid;
    public uint pw_gid;
    public byte* pw_gecos;
    public byte* pw_dir;
    public byte* pw_shell;
}
