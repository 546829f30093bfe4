namespace Offsite.Posix.Tests;

public sealed class ReadDirectoryTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Entries_AreSortedOrdinallyByBytes_WithoutDotEntries()
    {
        byte[][] names =
        [
            [0xFF], [(byte)'b'], [(byte)'B'], [(byte)'a', (byte)'a'], [(byte)'a'], [0xC3, 0xA9], [(byte)'.', (byte)'h'],
        ];
        foreach (var name in names)
        {
            FileHelpers.WriteFile(_dir.Child(name), default);
        }

        var listed = PosixFs.ReadDirectory(_dir.Path).Select(e => e.Name).ToList();

        var expected = names.OrderBy(n => n, Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToList();
        Assert.Equal(expected, listed);
    }

    [Fact]
    public void TypeHints_ReflectEntryKinds()
    {
        FileHelpers.WriteFile(_dir.Child("file"), default);
        PosixFs.MakeDirectory(_dir.Child("dir"), 0x1ED, existOk: false);
        PosixFs.Symlink("file"u8, _dir.Child("link"));
        PosixFs.MakeFifo(_dir.Child("fifo"), 0x1A4);

        var types = PosixFs.ReadDirectory(_dir.Path).ToDictionary(e => PosixPath.ToDisplay(e.Name), e => e.TypeHint);

        Assert.Equal(PosixFileType.Directory, types["dir"]);
        Assert.Equal(PosixFileType.Regular, types["file"]);
        Assert.Equal(PosixFileType.Symlink, types["link"]);
        Assert.Equal(PosixFileType.Fifo, types["fifo"]);
    }

    [Fact]
    public void EmptyDirectory_ReturnsEmptyList()
    {
        Assert.Empty(PosixFs.ReadDirectory(_dir.Path));
    }

    [Fact]
    public void LargeDirectory_SpanningManyBuffers_ListsEverything()
    {
        // Long names make each dirent large, so the 64 KiB getdents buffer must be refilled many times.
        const int Count = 3000;
        string pad = new('n', 120);
        for (int i = 0; i < Count; i++)
        {
            FileHelpers.WriteFile(_dir.Child($"{pad}{i:D5}"), default);
        }

        var entries = PosixFs.ReadDirectory(_dir.Path);

        Assert.Equal(Count, entries.Count);
        Assert.Equal(PosixPath.FromString($"{pad}00000"), entries[0].Name);
        Assert.Equal(PosixPath.FromString($"{pad}{Count - 1:D5}"), entries[^1].Name);
    }

    [Fact]
    public void OnRegularFile_ThrowsNotDirectory()
    {
        FileHelpers.WriteFile(_dir.Child("f"), default);

        var ex = Assert.Throws<PosixException>(() => PosixFs.ReadDirectory(_dir.Child("f")));
        Assert.Equal(20, ex.Errno); // ENOTDIR
    }
}
