namespace Offsite.Posix.Tests;

public sealed class NameRoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<byte[]> Names => new()
    {
        new byte[] { (byte)'x', 0xFF, 0xFE, (byte)'y' },
        new byte[] { 0xFF },
        PosixPath.FromString("line1\nline2"),
        PosixPath.FromString(" leading and trailing spaces "),
        PosixPath.FromString("ünïcödé-日本語-🎉"),
        PosixPath.FromString("back\\slash\ttab"),
        new byte[] { 0xC3, 0x28, 0xA0, 0xA1 }, // invalid 2-byte sequence and stray continuation bytes
        PosixPath.FromString("..."),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void CreatedName_IsListedAndStattable(byte[] name)
    {
        byte[] path = _dir.Child(name);
        FileHelpers.WriteFile(path, "hello"u8);

        var entries = PosixFs.ReadDirectory(_dir.Path);

        var entry = Assert.Single(entries);
        Assert.Equal(name, entry.Name);
        Assert.Equal(PosixFileType.Regular, entry.TypeHint);
        var st = PosixFs.LStat(PosixPath.Join(_dir.Path, entry.Name));
        Assert.Equal(PosixFileType.Regular, st.Type);
        Assert.Equal(5, st.Size);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CreatedName_ContentReadsBack(byte[] name)
    {
        byte[] path = _dir.Child(name);
        FileHelpers.WriteFile(path, "payload"u8);

        using var h = PosixFs.OpenRead(path);
        var buffer = new byte[32];
        int n = RandomAccess.Read(h, buffer, 0);

        Assert.Equal("payload"u8.ToArray(), buffer[..n]);
    }

    [Fact]
    public void InvalidUtf8Name_IsDistinctFromReplacementCharacter()
    {
        // A lossy decoder would map both to U+FFFD and merge them; raw bytes keep them apart.
        FileHelpers.WriteFile(_dir.Child(new byte[] { 0xFF }), "a"u8);
        FileHelpers.WriteFile(_dir.Child(new byte[] { 0xFE }), "b"u8);
        FileHelpers.WriteFile(_dir.Child("\uFFFD"), "c"u8);

        Assert.Equal(3, PosixFs.ReadDirectory(_dir.Path).Count);
    }
}
