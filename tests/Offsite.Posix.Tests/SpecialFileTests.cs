namespace Offsite.Posix.Tests;

public sealed class SpecialFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MakeFifo_CreatesFifo()
    {
        byte[] path = _dir.Child(new byte[] { (byte)'p', 0xFF });

        PosixFs.MakeFifo(path, 0x180);

        var st = PosixFs.LStat(path);
        Assert.Equal(PosixFileType.Fifo, st.Type);
        Assert.Equal(0x180u, st.Permissions);
        Assert.Equal(0, st.Size);
    }

    [RootFact]
    public void MakeDevice_CharDevice_RoundTripsRdev()
    {
        ulong rdev = PosixFs.LStat("/dev/null"u8).Rdev;
        byte[] path = _dir.Child("null");

        PosixFs.MakeDevice(path, PosixFileType.CharDevice, 0x1B6, rdev);

        var st = PosixFs.LStat(path);
        Assert.Equal(PosixFileType.CharDevice, st.Type);
        Assert.Equal(rdev, st.Rdev);
    }

    [RootFact]
    public void MakeDevice_BlockDevice_WithLargeMajorMinor()
    {
        // glibc dev_t for major 259, minor 300000 (exercises the split high/low bit fields).
        const ulong Major = 259, Minor = 300000;
        ulong rdev = ((Major & 0xFFFFF000) << 32) | ((Major & 0xFFF) << 8) | ((Minor & 0xFFFFFF00) << 12) | (Minor & 0xFF);
        byte[] path = _dir.Child("blk");

        PosixFs.MakeDevice(path, PosixFileType.BlockDevice, 0x180, rdev);

        var st = PosixFs.LStat(path);
        Assert.Equal(PosixFileType.BlockDevice, st.Type);
        Assert.Equal(rdev, st.Rdev);
        Assert.Equal(new[] { "103", "493e0" }, FileHelpers.StatCommand("%t %T", PosixPath.ToDisplay(path)));
    }

    [Fact]
    public void MakeDevice_RejectsNonNodeTypes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PosixFs.MakeDevice(_dir.Child("x"), PosixFileType.Directory, 0x1ED, 0));
    }
}
