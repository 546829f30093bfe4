using System.Globalization;
using System.Runtime.CompilerServices;
using Offsite.Posix.Native;

namespace Offsite.Posix.Tests;

public sealed class LStatTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void StatBuffer_MatchesGlibcX64Layout()
    {
        Assert.Equal(144, Unsafe.SizeOf<StatBuffer>());
    }

    [Theory]
    [InlineData(0x1A4u)]  // 0644
    [InlineData(0x9EDu)]  // 04755 setuid
    [InlineData(0x3FFu)]  // 01777 sticky
    public void RegularFile_MatchesStatCommand(uint permissions)
    {
        byte[] path = _dir.Child("file.txt");
        FileHelpers.WriteFile(path, "0123456789"u8);
        PosixFs.Chmod(path, permissions);

        var st = PosixFs.LStat(path);
        var expected = FileHelpers.StatCommand("%i %h %u %g %s %Y %a %f", PosixPath.ToDisplay(path));

        Assert.Equal(PosixFileType.Regular, st.Type);
        Assert.Equal(ulong.Parse(expected[0], CultureInfo.InvariantCulture), st.Inode);
        Assert.Equal(ulong.Parse(expected[1], CultureInfo.InvariantCulture), st.Links);
        Assert.Equal(uint.Parse(expected[2], CultureInfo.InvariantCulture), st.Uid);
        Assert.Equal(uint.Parse(expected[3], CultureInfo.InvariantCulture), st.Gid);
        Assert.Equal(long.Parse(expected[4], CultureInfo.InvariantCulture), st.Size);
        Assert.Equal(long.Parse(expected[5], CultureInfo.InvariantCulture), FloorSeconds(st.MtimeNs));
        Assert.Equal(Convert.ToUInt32(expected[6], 8), st.Permissions);
        Assert.Equal(permissions, st.Permissions);
        Assert.Equal(Convert.ToUInt32(expected[7], 16) & 0xFFF, st.Permissions);
    }

    [Fact]
    public void Directory_MatchesStatCommand()
    {
        byte[] path = _dir.Child("sub");
        PosixFs.MakeDirectory(path, 0x1ED, existOk: false);
        FileHelpers.WriteFile(PosixPath.Join(path, "x"u8), default);

        var st = PosixFs.LStat(path);
        var expected = FileHelpers.StatCommand("%i %h %s %f %d %X %Z", PosixPath.ToDisplay(path));

        Assert.Equal(PosixFileType.Directory, st.Type);
        Assert.Equal(ulong.Parse(expected[0], CultureInfo.InvariantCulture), st.Inode);
        Assert.Equal(2UL, st.Links);
        Assert.Equal(long.Parse(expected[2], CultureInfo.InvariantCulture), st.Size);
        Assert.Equal(0x4000u, Convert.ToUInt32(expected[3], 16) & 0xF000);
        Assert.Equal(ulong.Parse(expected[4], CultureInfo.InvariantCulture), st.Device);
        Assert.Equal(long.Parse(expected[5], CultureInfo.InvariantCulture), FloorSeconds(st.AtimeNs));
        Assert.Equal(long.Parse(expected[6], CultureInfo.InvariantCulture), FloorSeconds(st.CtimeNs));
    }

    [Fact]
    public void DevNull_ReportsCharDeviceAndRdev()
    {
        var st = PosixFs.LStat("/dev/null"u8);

        Assert.Equal(PosixFileType.CharDevice, st.Type);
        Assert.Equal(0x0103UL, st.Rdev); // major 1, minor 3 in glibc's dev_t encoding
    }

    [Fact]
    public void FStat_AgreesWithLStat()
    {
        byte[] path = _dir.Child("f");
        FileHelpers.WriteFile(path, "abc"u8);

        using var h = PosixFs.OpenRead(path);
        var viaHandle = PosixFs.FStat(h);

        Assert.Equal(PosixFs.LStat(path), viaHandle);
    }

    [Fact]
    public void LongPath_BeyondStackScratch_Works()
    {
        // Paths longer than the stackalloc scratch take the pooled-buffer route.
        byte[] path = _dir.Path;
        for (int i = 0; i < 6; i++)
        {
            path = PosixPath.Join(path, PosixPath.FromString(new string((char)('a' + i), 200)));
            PosixFs.MakeDirectory(path, 0x1ED, existOk: false);
        }
        byte[] file = PosixPath.Join(path, "leaf"u8);
        FileHelpers.WriteFile(file, "1234"u8);

        Assert.True(file.Length > 1024);
        Assert.Equal(4, PosixFs.LStat(file).Size);
    }

    private static long FloorSeconds(long ns) => (long)Math.Floor(ns / 1e9);
}
