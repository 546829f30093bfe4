using Offsite.Core.Storage;
using Offsite.Storage.Local;

namespace Offsite.Storage.Tests;

public sealed class LocalStorageTests : StorageConformance, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "offsite-local-" + Guid.NewGuid().ToString("N"));

    protected override IStorage CreateStorage() => new LocalStorage(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Objects_are_private_to_the_owner()
    {
        await using var s = CreateStorage();
        await s.PutAsync("keys/k", new byte[] { 1 }, default);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, "keys", "k")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_root, "keys")));
    }

    [Fact]
    public async Task An_unnamed_file_in_its_scratch_directory_is_stored_by_linking_it_and_any_other_file_is_copied()
    {
        var storage = new LocalStorage(_root);
        Directory.CreateDirectory(_root);
        byte[] bytes = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        var anonymous = Offsite.Posix.PosixFs.TryCreateAnonymous(Offsite.Posix.PosixPath.FromString(storage.ScratchDirectory));
        Assert.NotNull(anonymous);
        await using (var sealedFile = new FileStream(anonymous, FileAccess.ReadWrite, bufferSize: 0))
        {
            sealedFile.Write(bytes);
            sealedFile.Position = 0;

            await storage.PutAsync("data/ab/adopted", sealedFile, default);

            // The very file: its inode now has a name, and nothing was copied.
            Assert.Equal(1UL, Offsite.Posix.PosixFs.FStat(sealedFile.SafeFileHandle).Links);
            Assert.Equal(Offsite.Posix.PosixFs.FStat(sealedFile.SafeFileHandle).Inode, Offsite.Posix.PosixFs.LStat(Offsite.Posix.PosixPath.FromString(Path.Combine(_root, "data", "ab", "adopted"))).Inode);
        }
        string userFile = Path.Combine(_root, "user-file");
        File.WriteAllBytes(userFile, bytes);
        await using (var named = File.OpenRead(userFile))
        {
            await storage.PutAsync("data/ab/copied", named, default);
        }

        Assert.Equal(bytes, await storage.GetAsync("data/ab/adopted", default));
        Assert.Equal(bytes, await storage.GetAsync("data/ab/copied", default));
        Assert.Equal(1UL, Offsite.Posix.PosixFs.LStat(Offsite.Posix.PosixPath.FromString(userFile)).Links);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, "data", "ab", "adopted")));
        Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Leftover_temporary_files_are_not_listed()
    {
        await using var s = CreateStorage();
        await s.PutAsync("packs/ab/real", new byte[] { 1 }, default);
        File.WriteAllBytes(Path.Combine(_root, "packs", "ab", "real.deadbeef.tmp"), [2]);
        var keys = new List<string>();
        await foreach (var o in s.ListAsync("packs/", default)) keys.Add(o.Key);
        Assert.Equal(["packs/ab/real"], keys);
    }

    [Fact]
    public async Task Stale_temporary_files_are_reclaimed_by_listing_fresh_ones_are_not()
    {
        await using var s = CreateStorage();
        await s.PutAsync("packs/ab/real", new byte[] { 1 }, default);
        string stale = Path.Combine(_root, "packs", "ab", "killed.0001.tmp");
        string fresh = Path.Combine(_root, "packs", "ab", "writing.0002.tmp");
        File.WriteAllBytes(stale, [1]);
        File.WriteAllBytes(fresh, [2]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));
        await foreach (var o in s.ListAsync("packs/", default)) Assert.Equal("packs/ab/real", o.Key);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("packs/../../x")]
    [InlineData("")]
    public async Task Keys_cannot_escape_the_root(string key)
    {
        await using var s = CreateStorage();
        await Assert.ThrowsAsync<ArgumentException>(() => s.GetAsync(key, default));
    }

    [Fact]
    public async Task Write_failure_is_a_storage_exception_and_leaves_nothing()
    {
        // A file where the packs/ directory should be makes every pack write fail (like a full or read-only disk).
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "packs"), "not a directory");
        await using var s = CreateStorage();
        await Assert.ThrowsAsync<StorageException>(() => s.PutAsync("packs/ab/x", new byte[] { 1 }, default));
    }
}
