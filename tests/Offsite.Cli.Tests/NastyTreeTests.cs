using System.Text;
using Offsite.Posix;

namespace Offsite.Cli.Tests;

/// <summary>Everything a POSIX tree can hold survives backup and restore, bit for bit and stat for stat.</summary>
[Collection(HeavyCollection.Name)]
public sealed class NastyTreeTests
{
    private const long SparseHole = 100L << 20;

    [RootFact]
    public void Nasty_tree_round_trips_with_contents_and_metadata()
    {
        using var box = new Sandbox();
        string src = box.Path("src");
        var links = BuildTree(src);

        box.Ok("backup", src);
        string target = box.Path("out");
        box.Ok("restore", "latest", "--target", target);
        string restored = target + src;

        TreeCompare.AssertSameContent(src, restored);
        TreeCompare.AssertSameMetadata(src, restored);

        // Hard links come back as links, not copies.
        foreach (var group in links)
        {
            var inodes = group.Select(p => Proc.Ok(Proc.Stat, "-c", "%i %h", Path.Combine(restored, p)).Stdout.Trim()).Distinct().ToList();
            Assert.True(inodes.Count == 1, $"hard links {string.Join(", ", group)} restored as separate files: {string.Join(" / ", inodes)}");
            Assert.EndsWith($" {group.Length}", inodes[0], StringComparison.Ordinal);
        }

        // The sparse file stays sparse: 100 MiB hole plus 1 MiB of data, allocated far below its size.
        long blocks = long.Parse(Proc.Ok(Proc.Stat, "-c", "%b", Path.Combine(restored, "sparse.img")).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(blocks * 512 < 20L << 20, $"sparse file restored with {blocks * 512} bytes allocated");
    }

    /// <summary>Builds the tree; returns groups of hard-linked relative paths.</summary>
    private static List<string[]> BuildTree(string root)
    {
        Directory.CreateDirectory(root);
        void Write(string rel, byte[] content) => File.WriteAllBytes(Path.Combine(root, rel), content);
        void Dir(string rel) => Directory.CreateDirectory(Path.Combine(root, rel));
        byte[] P(string rel) => PosixPath.FromString(Path.Combine(root, rel));

        Dir("subdir");
        Dir("nested/empty/deep");
        Dir("empty-dir");
        Dir("read-only dir");
        Dir("sticky");
        Dir("setgid");
        Dir("owned by 1234");
        Dir("日本語ディレクトリ");

        // Names: unicode, newline, spaces, invalid UTF-8.
        Write("ünïcödé ñame.txt", Encoding.UTF8.GetBytes("unicode\n"));
        Write("日本語ディレクトリ/ファイル.txt", Encoding.UTF8.GetBytes("日本語\n"));
        Write("emoji 🎉 party.txt", Encoding.UTF8.GetBytes("🎉"));
        Write("line\nbreak", Encoding.UTF8.GetBytes("a name with a newline"));
        Write("  spaces  around  ", Encoding.UTF8.GetBytes("spaces"));
        Write("tab\tand\rcr", Encoding.UTF8.GetBytes("control characters"));
        byte[] invalidName = [.. Encoding.ASCII.GetBytes("bad-"), 0xFF, 0xFE, 0xC3, .. Encoding.ASCII.GetBytes("-name")];
        using (var h = PosixFs.CreateFile(PosixPath.Join(PosixPath.FromString(Path.Combine(root, "subdir")), invalidName), 0x1A4))
        {
            RandomAccess.Write(h, Encoding.ASCII.GetBytes("invalid utf-8 name"), 0);
        }

        // Empty files and a read-only directory with content.
        Write("empty", []);
        Write("subdir/empty too", []);
        Write("read-only dir/inside", Encoding.UTF8.GetBytes("inside a 0555 dir"));

        // A big file and a sparse file.
        Data.WriteRandomFile(Path.Combine(root, "big.bin"), 200_000_000, 7);
        using (var fs = new FileStream(Path.Combine(root, "sparse.img"), FileMode.CreateNew))
        {
            fs.Seek(SparseHole, SeekOrigin.Begin);
            fs.Write(Data.Random(1 << 20, 99));
        }

        // Symlinks: relative, absolute, dangling, to a directory, with an odd target.
        File.CreateSymbolicLink(Path.Combine(root, "link-to-file"), "ünïcödé ñame.txt");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "/nonexistent/offsite/target");
        File.CreateSymbolicLink(Path.Combine(root, "link-to-dir"), "subdir");
        File.CreateSymbolicLink(Path.Combine(root, "subdir/up"), "../line\nbreak");
        File.CreateSymbolicLink(Path.Combine(root, "absolute"), "/etc/hostname");

        // Hard links, one group across directories.
        Write("hard-a", Encoding.UTF8.GetBytes("hard linked content"));
        PosixFs.Link(P("hard-a"), P("subdir/hard-b"));
        PosixFs.Link(P("hard-a"), P("nested/hard-c"));
        Write("pair-1", Encoding.UTF8.GetBytes("second group"));
        PosixFs.Link(P("pair-1"), P("pair-2"));

        // Owners first (chown clears setuid/setgid), then modes.
        foreach (string rel in new[] { "owned by 1234", "owned by 1234/file", "pair-1", "dangling" })
        {
            if (rel == "owned by 1234/file") Write(rel, Encoding.UTF8.GetBytes("not root's"));
            PosixFs.LChown(P(rel), 1234, 5678);
        }
        PosixFs.LChown(P("sticky"), 0, 5678);
        Write("setuid", Encoding.UTF8.GetBytes("#!/bin/sh\n"));
        Write("setuid-setgid", Encoding.UTF8.GetBytes("#!/bin/sh\n"));
        PosixFs.LChown(P("setuid-setgid"), 1234, 5678);
        Write("no permissions", Encoding.UTF8.GetBytes("mode 0000"));
        Write("read-only", Encoding.UTF8.GetBytes("0444"));

        var modes = new Dictionary<string, string>
        {
            ["setuid"] = "4755", ["setuid-setgid"] = "6750", ["no permissions"] = "0000", ["read-only"] = "0444",
            ["sticky"] = "1777", ["setgid"] = "2775", ["owned by 1234/file"] = "0640", ["hard-a"] = "0604",
            ["ünïcödé ñame.txt"] = "0600", ["big.bin"] = "0644", ["sparse.img"] = "0660", ["empty"] = "0666",
        };
        foreach (var (rel, mode) in modes)
        {
            PosixFs.Chmod(P(rel), Convert.ToUInt32(mode, 8));
        }

        // Nanosecond mtimes on everything, symlinks included, directories last and deepest first.
        var entries = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Where(e => !e.Contains("bad-", StringComparison.Ordinal)).ToList();
        long t = 1_234_567_890_123_456_789L;
        foreach (string e in entries.Where(e => !Directory.Exists(e) || new FileInfo(e).LinkTarget is not null))
        {
            t += 1_000_000_007L;
            PosixFs.SetTimes(PosixPath.FromString(e), t, t);
        }
        PosixFs.SetTimes(PosixPath.Join(PosixPath.FromString(Path.Combine(root, "subdir")), invalidName), 86_400_000_000_001L, 86_400_000_000_001L);
        PosixFs.SetTimes(P("empty"), 4_102_444_800_000_000_000L, 4_102_444_800_000_000_000L); // 2100
        PosixFs.Chmod(P("read-only dir"), Convert.ToUInt32("0555", 8));
        foreach (string d in entries.Where(e => Directory.Exists(e) && new FileInfo(e).LinkTarget is null).OrderByDescending(e => e.Length).Append(root))
        {
            t += 999_999_937L;
            PosixFs.SetTimes(PosixPath.FromString(d), t, t);
        }
        return [["hard-a", "subdir/hard-b", "nested/hard-c"], ["pair-1", "pair-2"]];
    }
}
