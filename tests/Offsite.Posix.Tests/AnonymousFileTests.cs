namespace Offsite.Posix.Tests;

/// <summary>O_TMPFILE files: private, nameless until linked, and only they can be linked (a named or unlinked file cannot).</summary>
public sealed class AnonymousFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_anonymous_file_has_no_name_until_linked_and_then_has_its_bytes_and_mode_0600()
    {
        using var file = PosixFs.TryCreateAnonymous(_dir.Path);
        Assert.NotNull(file); // ext4, xfs, btrfs and tmpfs support O_TMPFILE; the test directory is on one
        RandomAccess.Write(file, "sealed bytes"u8, 0);
        Assert.Empty(PosixFs.ReadDirectory(_dir.Path));
        Assert.Equal(0UL, PosixFs.FStat(file).Links);

        Assert.True(PosixFs.TryLinkAnonymous(file, _dir.Child("object")));

        Assert.Equal("sealed bytes", File.ReadAllText(_dir.PathText + "/object"));
        Assert.Equal(1UL, PosixFs.FStat(file).Links);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.PathText + "/object"));
    }

    [Fact]
    public void A_named_file_is_not_linked()
    {
        FileHelpers.WriteFile(_dir.Child("user-file"), "mine"u8);
        using var handle = File.OpenHandle(_dir.PathText + "/user-file");

        Assert.False(PosixFs.TryLinkAnonymous(handle, _dir.Child("object")));
        Assert.False(File.Exists(_dir.PathText + "/object"));
    }

    [Fact]
    public void A_file_that_was_unlinked_rather_than_made_anonymous_is_not_linked()
    {
        FileHelpers.WriteFile(_dir.Child("gone"), "bytes"u8);
        using var handle = File.OpenHandle(_dir.PathText + "/gone");
        File.Delete(_dir.PathText + "/gone");

        Assert.False(PosixFs.TryLinkAnonymous(handle, _dir.Child("object")));
    }

    [Fact]
    public void Linking_onto_an_existing_name_fails_and_leaves_it()
    {
        FileHelpers.WriteFile(_dir.Child("object"), "old"u8);
        using var file = PosixFs.TryCreateAnonymous(_dir.Path)!;

        Assert.Throws<PosixException>(() => PosixFs.TryLinkAnonymous(file, _dir.Child("object")));
        Assert.Equal("old", File.ReadAllText(_dir.PathText + "/object"));
    }
}
