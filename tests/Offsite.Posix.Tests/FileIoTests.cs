namespace Offsite.Posix.Tests;

public sealed class FileIoTests : IDisposable
{
    private const int ELOOP = 40;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SparseFile_AllocatesFewBlocks()
    {
        byte[] path = _dir.Child("sparse");
        const long Size = 100L * 1024 * 1024;
        using (var h = PosixFs.CreateFile(path, 0x1A4))
        {
            RandomAccess.SetLength(h, Size);
            RandomAccess.Write(h, "x"u8, Size / 2);
        }

        var st = PosixFs.LStat(path);

        Assert.Equal(Size, st.Size);
        Assert.True(st.Blocks < 1024, $"expected a sparse file, got {st.Blocks} blocks"); // < 512 KiB allocated
        Assert.True(st.Blocks > 0);
    }

    [Fact]
    public void CreateFile_HandleWorksWithFileStream()
    {
        byte[] path = _dir.Child(new byte[] { 0xFF, (byte)'s' });
        using (var h = PosixFs.CreateFile(path, 0x1A4))
        using (var stream = new FileStream(h, FileAccess.Write))
        {
            stream.Write("stream content"u8);
        }

        using var r = PosixFs.OpenRead(path);
        using var reader = new FileStream(r, FileAccess.Read);
        var buffer = new byte[64];
        int n = reader.Read(buffer);
        Assert.Equal("stream content"u8.ToArray(), buffer[..n]);
    }

    [Fact]
    public void CreateFile_TruncatesExistingFile()
    {
        byte[] path = _dir.Child("f");
        FileHelpers.WriteFile(path, "a long original content"u8);

        FileHelpers.WriteFile(path, "short"u8);

        Assert.Equal(5, PosixFs.LStat(path).Size);
    }

    [Fact]
    public void CreateFile_ThroughSymlink_FailsAndLeavesTargetAlone()
    {
        byte[] target = _dir.Child("target");
        FileHelpers.WriteFile(target, "keep"u8);
        PosixFs.Symlink("target"u8, _dir.Child("link"));

        var ex = Assert.Throws<PosixException>(() => PosixFs.CreateFile(_dir.Child("link"), 0x1A4));

        Assert.Equal(ELOOP, ex.Errno);
        Assert.Equal(4, PosixFs.LStat(target).Size);
    }

    [Fact]
    public void OpenRead_OnSymlink_FailsWithEloop()
    {
        FileHelpers.WriteFile(_dir.Child("target"), "secret"u8);
        PosixFs.Symlink("target"u8, _dir.Child("link"));

        var ex = Assert.Throws<PosixException>(() => PosixFs.OpenRead(_dir.Child("link")));

        Assert.Equal(ELOOP, ex.Errno);
        Assert.False(ex.IsNotFound);
        Assert.Contains("link", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenRead_DoesNotUpdateAtime()
    {
        byte[] path = _dir.Child("f");
        FileHelpers.WriteFile(path, "content"u8);
        const long OldAtime = 1_000_000_000_000_000_000; // far in the past, so relatime would update it
        PosixFs.SetTimes(path, OldAtime, OldAtime);

        using (var h = PosixFs.OpenRead(path))
        {
            _ = RandomAccess.Read(h, new byte[16], 0);
        }

        Assert.Equal(OldAtime, PosixFs.LStat(path).AtimeNs);
    }
}
