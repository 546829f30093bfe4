using Offsite.Core.Cache;
using Offsite.Core.Content;

namespace Offsite.Core.Tests.Cache;

public sealed class FilesCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("offsite-filescache-").FullName;
    private string CachePath => Path.Combine(_dir, "files", "cache");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FilesCache.Entry EntryFor(int n) =>
        new(n * 10L, n * 10L + 1, n, (ulong)n, Enumerable.Range(0, n % 3).Select(i => Id((byte)(n + i))).ToArray());

    private static BlobId Id(byte b)
    {
        var bytes = new byte[BlobId.Size];
        bytes[0] = b;
        bytes[31] = (byte)~b;
        return new BlobId(bytes);
    }

    private void Write(params string[] keys)
    {
        using var writer = FilesCacheWriter.Create(CachePath);
        for (int i = 0; i < keys.Length; i++) writer.Add(keys[i], EntryFor(i + 1));
        writer.Commit();
    }

    [Fact]
    public void Walk_order_puts_a_directory_s_files_before_its_longer_named_siblings()
    {
        // depth first with sorted names: /x/a/… comes before /x/a.txt and /x/a-b, although '.' and '-' < '/'
        string[] walk = ["/x/a/1", "/x/a/2", "/x/a-b", "/x/a.txt", "/x/b"];
        for (int i = 0; i + 1 < walk.Length; i++)
        {
            Assert.True(FilesCache.CompareInWalkOrder(walk[i], walk[i + 1]) < 0, $"{walk[i]} < {walk[i + 1]}");
            Assert.True(FilesCache.CompareInWalkOrder(walk[i + 1], walk[i]) > 0);
        }
        Assert.Equal(0, FilesCache.CompareInWalkOrder("/x/a", "/x/a"));
    }

    [Fact]
    public void Lookups_in_walk_order_find_kept_files_and_miss_new_and_removed_ones()
    {
        Write("/s/a/1", "/s/a/2", "/s/b", "/s/c/9");
        using var reader = FilesCacheReader.Open(CachePath);
        Assert.True(reader.TryGet("/s/a/1", out var first));
        Assert.Equal(EntryFor(1).Size, first.Size);
        Assert.Equal(EntryFor(1).Content, first.Content);
        Assert.False(reader.TryGet("/s/a/15", out _));   // new file between two cached ones
        Assert.True(reader.TryGet("/s/b", out var b));   // /s/a/2 was removed: skipped over
        Assert.Equal(EntryFor(3).Inode, b.Inode);
        Assert.Equal(EntryFor(3).Content, b.Content);
        Assert.False(reader.TryGet("/s/d", out _));      // past the end of the cache
        Assert.True(reader.TryGet("/s/c/9", out var back)); // asked out of order: found by seeking back
        Assert.Equal(EntryFor(4).Inode, back.Inode);
        Assert.False(reader.TryGet("/s/a/15", out _));   // still a miss after going back
    }

    [Fact]
    public void A_read_ahead_pattern_finds_every_entry_across_many_marks()
    {
        // A level's files are asked about first, then the archiver descends into an earlier subdirectory:
        // lookups go back, past several marks.
        var keys = new List<string>();
        for (int d = 0; d < 5; d++)
        {
            for (int f = 0; f < 300; f++) keys.Add($"/s/d{d}/f{f:D4}");
        }
        keys.Add("/s/z");
        Write(keys.ToArray());
        using var reader = FilesCacheReader.Open(CachePath);
        Assert.True(reader.TryGet("/s/z", out _));
        for (int d = 4; d >= 0; d--)
        {
            for (int f = 0; f < 300; f += 37)
            {
                Assert.True(reader.TryGet($"/s/d{d}/f{f:D4}", out var e), $"d{d}/f{f}");
                Assert.Equal(EntryFor(d * 300 + f + 1).Size, e.Size);
            }
        }
        Assert.False(reader.TryGet("/s/d2/f0001x", out _));
    }

    [Fact]
    public void Out_of_order_additions_go_to_the_trailer_and_are_found_in_any_order()
    {
        using (var writer = FilesCacheWriter.Create(CachePath))
        {
            writer.Add("/s/b", EntryFor(1));
            writer.Add("/s/a", EntryFor(2));   // a source whose keys sort differently from its names
            writer.Add("/s/c", EntryFor(3));
            writer.Add("/s/a%2F", EntryFor(4));
            Assert.Equal(4, writer.Count);
            writer.Commit();
        }
        using var reader = FilesCacheReader.Open(CachePath);
        Assert.True(reader.TryGet("/s/b", out var b));
        Assert.Equal(EntryFor(1).Size, b.Size);
        Assert.True(reader.TryGet("/s/a", out var a));
        Assert.Equal(EntryFor(2).Content, a.Content);
        Assert.True(reader.TryGet("/s/c", out var c));
        Assert.Equal(EntryFor(3).Size, c.Size);
        Assert.True(reader.TryGet("/s/a%2F", out var d));
        Assert.Equal(EntryFor(4).Inode, d.Inode);
        Assert.False(reader.TryGet("/s/d", out _));
    }

    [Fact]
    public void A_run_that_does_not_commit_leaves_the_previous_cache_and_no_temporary_file()
    {
        Write("/s/a");
        using (var writer = FilesCacheWriter.Create(CachePath))
        {
            writer.Add("/s/z", EntryFor(5));
        }
        Assert.Equal(["cache"], Directory.GetFiles(Path.GetDirectoryName(CachePath)!).Select(Path.GetFileName));
        using var reader = FilesCacheReader.Open(CachePath);
        Assert.True(reader.TryGet("/s/a", out _));
    }

    [Fact]
    public void The_cache_file_is_private_to_its_user()
    {
        Write("/s/a");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CachePath));
    }

    [Theory]
    [InlineData(0)]      // empty file
    [InlineData(3)]      // torn magic
    [InlineData(9)]      // torn trailer offset
    [InlineData(30)]     // torn inside the first record
    [InlineData(-20)]    // torn inside the last record
    public void A_truncated_cache_yields_the_intact_records_and_then_misses(int keep)
    {
        Write("/s/a", "/s/b", "/s/c");
        long full = new FileInfo(CachePath).Length;
        using (var f = File.OpenWrite(CachePath)) f.SetLength(keep >= 0 ? keep : full + keep);
        using var reader = FilesCacheReader.Open(CachePath);
        bool a = reader.TryGet("/s/a", out _), b = reader.TryGet("/s/b", out _), c = reader.TryGet("/s/c", out _);
        Assert.False(c);
        Assert.Equal(keep < 0, a && b);
    }

    [Fact]
    public void An_old_format_cache_is_an_empty_one()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CachePath)!);
        File.WriteAllBytes(CachePath, [0x31, 0x43, 0x46, 0x4F, 1, 0, 0, 0, 1, (byte)'a', 0, 0, 0]); // "OFC1", one entry
        using var reader = FilesCacheReader.Open(CachePath);
        Assert.False(reader.TryGet("a", out _));
    }

    [Fact]
    public void Without_a_cache_directory_nothing_is_written_or_found()
    {
        using var writer = FilesCacheWriter.Create(null);
        writer.Add("/s/a", EntryFor(1));
        writer.Commit();
        using var reader = FilesCacheReader.Open(null);
        Assert.False(reader.TryGet("/s/a", out _));
    }
}
