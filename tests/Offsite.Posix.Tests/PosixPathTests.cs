namespace Offsite.Posix.Tests;

public class PosixPathTests
{
    [Fact]
    public void FromString_EncodesUtf8()
    {
        Assert.Equal(new byte[] { (byte)'a', 0xC3, 0xA9, (byte)'/', 0xE2, 0x82, 0xAC }, PosixPath.FromString("aé/€"));
    }

    [Fact]
    public void ToDisplay_ValidUtf8_IsUnchanged()
    {
        Assert.Equal("dir/naïve 日本 🎉", PosixPath.ToDisplay(PosixPath.FromString("dir/naïve 日本 🎉")));
    }

    [Fact]
    public void ToDisplay_InvalidBytes_AreEscaped()
    {
        byte[] name = [(byte)'a', 0xFF, 0xFE, (byte)'b', 0xC3, 0xA9, 0xC3];
        Assert.Equal("a\\xff\\xfeb\u00e9\\xc3", PosixPath.ToDisplay(name));
    }

    [Fact]
    public void ToDisplay_EncodedSurrogate_IsEscaped()
    {
        // CESU-style surrogate encoding is not valid UTF-8 and must not be decoded into a lone surrogate.
        byte[] name = [0xED, 0xA0, 0x80];
        Assert.DoesNotContain('\uD800', PosixPath.ToDisplay(name));
        Assert.StartsWith("\\xed", PosixPath.ToDisplay(name), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a", "b", "/a/b")]
    [InlineData("/a/", "b", "/a/b")]
    [InlineData("/", "b", "/b")]
    [InlineData("", "b", "b")]
    [InlineData("rel", "b c", "rel/b c")]
    public void Join_InsertsExactlyOneSlash(string dir, string name, string expected)
    {
        Assert.Equal(PosixPath.FromString(expected), PosixPath.Join(PosixPath.FromString(dir), PosixPath.FromString(name)));
    }

    [Fact]
    public void Join_KeepsInvalidBytes()
    {
        byte[] name = [0xFF, 0x0A, 0xFE];
        Assert.Equal(new byte[] { (byte)'d', (byte)'/', 0xFF, 0x0A, 0xFE }, PosixPath.Join("d"u8, name));
    }
}
