using System.Buffers;
using System.Text;

namespace Offsite.Posix.Native;

/// <summary>
/// Queries the system user/group database through the reentrant getpw*_r/getgr*_r calls, so NSS
/// sources (LDAP, sssd, systemd-userdb) work exactly as they do for ls and tar.
/// </summary>
internal static unsafe class AccountDatabase
{
    public enum Outcome { Found, NotFound, Failed }

    private const int InitialBufferSize = 1024;
    // Groups with many members can need large buffers; stop growing at something clearly broken.
    private const int MaxBufferSize = 16 * 1024 * 1024;

    public static Outcome UserById(uint uid, out string? name, out uint id) => Query(&PwByUid, (nint)uid, out name, out id);

    public static Outcome GroupById(uint gid, out string? name, out uint id) => Query(&GrByGid, (nint)gid, out name, out id);

    public static Outcome UserByName(string user, out string? name, out uint id)
    {
        fixed (byte* p = NulTerminated(user))
        {
            return Query(&PwByName, (nint)p, out name, out id);
        }
    }

    public static Outcome GroupByName(string group, out string? name, out uint id)
    {
        fixed (byte* p = NulTerminated(group))
        {
            return Query(&GrByName, (nint)p, out name, out id);
        }
    }

    /// <summary>
    /// Runs one lookup, retrying with a bigger buffer on ERANGE. The *_r functions return 0 with a
    /// null result for "no such entry", and some NSS modules return ENOENT/ESRCH/EBADF/EPERM for that
    /// too (see getpwnam(3)); anything else is a real failure the caller should not cache.
    /// </summary>
    private static Outcome Query(delegate*<nint, byte*, nuint, byte**, uint*, int> lookup, nint arg, out string? name, out uint id)
    {
        for (int size = InitialBufferSize; size <= MaxBufferSize; size *= 4)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                fixed (byte* buf = buffer)
                {
                    byte* namePtr = null;
                    uint foundId = 0;
                    int rc = lookup(arg, buf, (nuint)buffer.Length, &namePtr, &foundId);
                    if (rc == Errno.ERANGE)
                    {
                        continue;
                    }
                    name = namePtr is null ? null : Encoding.UTF8.GetString(new ReadOnlySpan<byte>(namePtr, StrLen(namePtr)));
                    id = foundId;
                    return rc switch
                    {
                        0 => namePtr is null ? Outcome.NotFound : Outcome.Found,
                        Errno.ENOENT or 3 /* ESRCH */ or 9 /* EBADF */ or Errno.EPERM => Outcome.NotFound,
                        _ => Outcome.Failed,
                    };
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        name = null;
        id = 0;
        return Outcome.Failed;
    }

    private static int PwByUid(nint uid, byte* buf, nuint len, byte** name, uint* id)
    {
        Passwd pwd;
        Passwd* result;
        int rc = LibC.getpwuid_r((uint)uid, &pwd, buf, len, &result);
        return FromPasswd(rc, result, name, id);
    }

    private static int PwByName(nint user, byte* buf, nuint len, byte** name, uint* id)
    {
        Passwd pwd;
        Passwd* result;
        int rc = LibC.getpwnam_r((byte*)user, &pwd, buf, len, &result);
        return FromPasswd(rc, result, name, id);
    }

    private static int GrByGid(nint gid, byte* buf, nuint len, byte** name, uint* id)
    {
        Group grp;
        Group* result;
        int rc = LibC.getgrgid_r((uint)gid, &grp, buf, len, &result);
        return FromGroup(rc, result, name, id);
    }

    private static int GrByName(nint group, byte* buf, nuint len, byte** name, uint* id)
    {
        Group grp;
        Group* result;
        int rc = LibC.getgrnam_r((byte*)group, &grp, buf, len, &result);
        return FromGroup(rc, result, name, id);
    }

    private static int FromPasswd(int rc, Passwd* result, byte** name, uint* id)
    {
        if (rc == 0 && result is not null)
        {
            *name = result->pw_name;
            *id = result->pw_uid;
        }
        return rc;
    }

    private static int FromGroup(int rc, Group* result, byte** name, uint* id)
    {
        if (rc == 0 && result is not null)
        {
            *name = result->gr_name;
            *id = result->gr_gid;
        }
        return rc;
    }

    private static byte[] NulTerminated(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    private static int StrLen(byte* s) => new ReadOnlySpan<byte>(s, int.MaxValue).IndexOf((byte)0);
}
