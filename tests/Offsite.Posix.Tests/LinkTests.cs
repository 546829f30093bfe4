namespace Offsite.Posix.Tests;

public sealed class LinkTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Symlink_ReadLinkReturnsTargetBytes_AndLStatDoesNotFollow()
    {
        FileHelpers.WriteFile(_dir.Child("target"), "0123456789"u8);
        PosixFs.Symlink("target"u8, _dir.Child("link"));

        var st = PosixFs.LStat(_dir.Child("link"));

        Assert.Equal(PosixFileType.Symlink, st.Type);
        Assert.Equal(6, st.Size); // a symlink's size is its target length
        Assert.Equal("target"u8.ToArray(), PosixFs.ReadLink(_dir.Child("link")));
    }

    [Fact]
    public void DanglingSymlink_WithInvalidUtf8Target_RoundTrips()
    {
        byte[] target = [(byte)'.', (byte)'.', (byte)'/', 0xFF, 0xFE, (byte)'\n', (byte)'g', (byte)'o', (byte)'n', (byte)'e'];
        byte[] link = _dir.Child(new byte[] { (byte)'l', 0xFF });
        PosixFs.Symlink(target, link);

        Assert.Equal(target, PosixFs.ReadLink(link));
        Assert.True(PosixFs.Exists(link));
        Assert.Equal(PosixFileType.Symlink, PosixFs.LStat(link).Type);
    }

    [Fact]
    public void ReadLink_LongTarget_BeyondFirstBuffer()
    {
        byte[] target = PosixPath.FromString(string.Join('/', Enumerable.Repeat("segment-xyz", 300))); // ~3.6 KB
        PosixFs.Symlink(target, _dir.Child("long"));

        Assert.Equal(target, PosixFs.ReadLink(_dir.Child("long")));
    }

    [Fact]
    public void ReadLink_OnRegularFile_ThrowsEinval()
    {
        FileHelpers.WriteFile(_dir.Child("f"), default);

        var ex = Assert.Throws<PosixException>(() => PosixFs.ReadLink(_dir.Child("f")));
        Assert.Equal(22, ex.Errno); // EINVAL
    }

    [Fact]
    public void HardLink_SharesInode_AndCountsLinks()
    {
        byte[] a = _dir.Child("a");
        byte[] b = _dir.Child(new byte[] { (byte)'b', 0xFE });
        FileHelpers.WriteFile(a, "data"u8);

        PosixFs.Link(a, b);
        var sa = PosixFs.LStat(a);
        var sb = PosixFs.LStat(b);

        Assert.Equal(sa.Inode, sb.Inode);
        Assert.Equal(sa.Device, sb.Device);
        Assert.Equal(2UL, sa.Links);
        Assert.Equal(2UL, sb.Links);

        PosixFs.Unlink(b);
        Assert.Equal(1UL, PosixFs.LStat(a).Links);
    }

    [Fact]
    public void HardLink_ToSymlink_LinksTheSymlinkItself()
    {
        PosixFs.Symlink("nowhere"u8, _dir.Child("sym"));

        PosixFs.Link(_dir.Child("sym"), _dir.Child("sym2"));

        Assert.Equal(PosixFileType.Symlink, PosixFs.LStat(_dir.Child("sym2")).Type);
        Assert.Equal(2UL, PosixFs.LStat(_dir.Child("sym")).Links);
    }
}
