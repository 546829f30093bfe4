namespace Offsite.Posix.Tests;

public sealed class MetadataTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1_700_000_000_123_456_789L)]
    [InlineData(1L)]
    [InlineData(-1_500_000_001L)] // before the epoch: needs floor division into (sec, nsec)
    [InlineData(4_102_444_800_999_999_999L)] // 2100-01-01
    public void SetTimes_NanosecondsRoundTrip(long ns)
    {
        byte[] path = _dir.Child("f");
        FileHelpers.WriteFile(path, default);

        PosixFs.SetTimes(path, ns - 7, ns);
        var st = PosixFs.LStat(path);

        Assert.Equal(ns, st.MtimeNs);
        Assert.Equal(ns - 7, st.AtimeNs);
    }

    [Fact]
    public void SetTimes_OnSymlink_LeavesTargetAlone()
    {
        byte[] target = _dir.Child("target");
        byte[] link = _dir.Child("link");
        FileHelpers.WriteFile(target, default);
        PosixFs.SetTimes(target, 1_000_000_000_000_000_000, 1_000_000_000_000_000_000);
        PosixFs.Symlink("target"u8, link);

        PosixFs.SetTimes(link, 1_234_567_890_111_222_333, 1_234_567_890_444_555_666);

        Assert.Equal(1_234_567_890_444_555_666, PosixFs.LStat(link).MtimeNs);
        Assert.Equal(1_000_000_000_000_000_000, PosixFs.LStat(target).MtimeNs);
    }

    [Fact]
    public void SetTimes_OnDanglingSymlink_Works()
    {
        byte[] link = _dir.Child("dangling");
        PosixFs.Symlink("missing"u8, link);

        PosixFs.SetTimes(link, 5_000_000_000, 6_000_000_001);

        Assert.Equal(6_000_000_001, PosixFs.LStat(link).MtimeNs);
    }

    [Theory]
    [InlineData(0x9EDu)]  // 04755 setuid
    [InlineData(0x5EDu)]  // 02755 setgid
    [InlineData(0x3FFu)]  // 01777 sticky
    [InlineData(0xFFFu)]  // 07777 everything
    [InlineData(0x000u)]  // 0000
    public void Chmod_SetsAllTwelveBits(uint permissions)
    {
        byte[] path = _dir.Child("f");
        FileHelpers.WriteFile(path, default);

        PosixFs.Chmod(path, permissions);

        Assert.Equal(permissions, PosixFs.LStat(path).Permissions);
    }

    [Fact]
    public void Chmod_StickyDirectory()
    {
        byte[] path = _dir.Child("d");
        PosixFs.MakeDirectory(path, 0x1C0, existOk: false);

        PosixFs.Chmod(path, 0x3FF); // 01777 like /tmp

        var st = PosixFs.LStat(path);
        Assert.Equal(PosixFileType.Directory, st.Type);
        Assert.Equal(0x3FFu, st.Permissions);
    }

    [RootFact]
    public void LChown_ChangesOwnerOfFileAndOfSymlinkItself()
    {
        byte[] file = _dir.Child("f");
        byte[] link = _dir.Child("l");
        FileHelpers.WriteFile(file, default);
        PosixFs.Symlink("f"u8, link);

        PosixFs.LChown(file, 1234, 5678);
        PosixFs.LChown(link, 4321, 8765);

        var fs = PosixFs.LStat(file);
        var ls = PosixFs.LStat(link);
        Assert.Equal((1234u, 5678u), (fs.Uid, fs.Gid));
        Assert.Equal((4321u, 8765u), (ls.Uid, ls.Gid));
    }

    [Fact]
    public void CreateFile_PermissionsAreAppliedUnderUmask()
    {
        byte[] path = _dir.Child("f");
        FileHelpers.WriteFile(path, default, permissions: 0x180); // 0600: no umask bit can add to it

        Assert.Equal(0x180u, PosixFs.LStat(path).Permissions);
    }
}
