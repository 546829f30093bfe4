namespace Offsite.Posix.Tests;

public sealed class ErrorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LStat_Missing_ThrowsNotFoundWithPathInMessage()
    {
        byte[] path = _dir.Child(new byte[] { (byte)'g', (byte)'o', (byte)'n', (byte)'e', 0xFF });

        var ex = Assert.Throws<PosixException>(() => PosixFs.LStat(path));

        Assert.True(ex.IsNotFound);
        Assert.Equal(2, ex.Errno);
        Assert.Equal(_dir.PathText + "/gone\\xff", ex.PathText);
        Assert.Equal("No such file or directory: " + ex.PathText, ex.Message);
        Assert.IsAssignableFrom<IOException>(ex);
    }

    [Fact]
    public void Exists_DistinguishesPresentAndMissing()
    {
        FileHelpers.WriteFile(_dir.Child("f"), default);

        Assert.True(PosixFs.Exists(_dir.Child("f")));
        Assert.False(PosixFs.Exists(_dir.Child("missing")));
        Assert.False(PosixFs.Exists(_dir.Child("f/below-a-file")));
    }

    [Fact]
    public void PathWithNulByte_IsRejectedBeforeReachingLibc()
    {
        Assert.Throws<ArgumentException>(() => PosixFs.LStat(new byte[] { (byte)'/', 0, (byte)'x' }));
    }

    [Fact]
    public void Symlink_OverExisting_ThrowsAlreadyExists()
    {
        FileHelpers.WriteFile(_dir.Child("f"), default);

        var ex = Assert.Throws<PosixException>(() => PosixFs.Symlink("x"u8, _dir.Child("f")));

        Assert.True(ex.IsAlreadyExists);
    }
}
