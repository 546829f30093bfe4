namespace Offsite.Posix.Tests;

public sealed class DirectoryCreationTests : IDisposable
{
    private const int EEXIST = 17;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MakeDirectory_ExistingDirectory_ThrowsUnlessExistOk()
    {
        byte[] path = _dir.Child("d");
        PosixFs.MakeDirectory(path, 0x1ED, existOk: false);

        var ex = Assert.Throws<PosixException>(() => PosixFs.MakeDirectory(path, 0x1ED, existOk: false));
        Assert.Equal(EEXIST, ex.Errno);
        Assert.True(ex.IsAlreadyExists);

        PosixFs.MakeDirectory(path, 0x1ED, existOk: true);
        Assert.Equal(PosixFileType.Directory, PosixFs.LStat(path).Type);
    }

    [Fact]
    public void MakeDirectory_ExistOk_StillRejectsFile()
    {
        byte[] path = _dir.Child("f");
        FileHelpers.WriteFile(path, default);

        var ex = Assert.Throws<PosixException>(() => PosixFs.MakeDirectory(path, 0x1ED, existOk: true));
        Assert.Equal(EEXIST, ex.Errno);
    }

    [Fact]
    public void MakeDirectory_ExistOk_RejectsSymlinkToDirectory()
    {
        PosixFs.MakeDirectory(_dir.Child("real"), 0x1ED, existOk: false);
        PosixFs.Symlink("real"u8, _dir.Child("alias"));

        var ex = Assert.Throws<PosixException>(() => PosixFs.MakeDirectory(_dir.Child("alias"), 0x1ED, existOk: true));
        Assert.Equal(EEXIST, ex.Errno);
    }

    [Fact]
    public void MakeDirectory_MissingParent_ThrowsNotFound()
    {
        var ex = Assert.Throws<PosixException>(() => PosixFs.MakeDirectory(_dir.Child("no/such"), 0x1ED, existOk: true));
        Assert.True(ex.IsNotFound);
    }

    [Fact]
    public void MakeDirectories_CreatesAllLevels_AndIsIdempotent()
    {
        byte[] deep = PosixPath.Join(_dir.Path, new byte[] { (byte)'a', (byte)'/', 0xFF, (byte)'/', (byte)'c', (byte)'/' });

        PosixFs.MakeDirectories(deep);
        PosixFs.MakeDirectories(deep);

        var st = PosixFs.LStat(_dir.Child(new byte[] { (byte)'a', (byte)'/', 0xFF, (byte)'/', (byte)'c' }));
        Assert.Equal(PosixFileType.Directory, st.Type);
    }

    [Fact]
    public void MakeDirectories_ThroughSymlinkedParent_Works()
    {
        PosixFs.MakeDirectory(_dir.Child("real"), 0x1ED, existOk: false);
        PosixFs.Symlink("real"u8, _dir.Child("alias"));

        PosixFs.MakeDirectories(_dir.Child("alias"));
        PosixFs.MakeDirectories(_dir.Child("alias/x/y"));

        Assert.Equal(PosixFileType.Directory, PosixFs.LStat(_dir.Child("real/x/y")).Type);
    }

    [Fact]
    public void MakeDirectories_FileInTheWay_Throws()
    {
        FileHelpers.WriteFile(_dir.Child("f"), default);

        Assert.Throws<PosixException>(() => PosixFs.MakeDirectories(_dir.Child("f/sub")));
        Assert.Throws<PosixException>(() => PosixFs.MakeDirectories(_dir.Child("f")));
    }

    [Fact]
    public void RemoveDirectory_And_Unlink()
    {
        PosixFs.MakeDirectory(_dir.Child("d"), 0x1ED, existOk: false);
        FileHelpers.WriteFile(_dir.Child("d/f"), default);

        Assert.Throws<PosixException>(() => PosixFs.RemoveDirectory(_dir.Child("d")));
        PosixFs.Unlink(_dir.Child("d/f"));
        PosixFs.RemoveDirectory(_dir.Child("d"));

        Assert.False(PosixFs.Exists(_dir.Child("d")));
    }
}
