namespace Offsite.Posix.Native;

/// <summary>Linux errno values this layer inspects (x86_64; identical on all Linux architectures).</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int EINVAL = 22;
    public const int ERANGE = 34;
    public const int ELOOP = 40;
    public const int EISDIR = 21;
    public const int EXDEV = 18;
    public const int EOPNOTSUPP = 95;
}
