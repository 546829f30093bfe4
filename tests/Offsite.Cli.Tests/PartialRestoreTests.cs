using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Offsite.Cli.Tests;

/// <summary>
/// A restore never leaves a file under its real name that is not exactly the backed-up file (issue 15,
/// items 2 and 3): lost files are left out or kept as NAME.offsite-partial with the lost byte ranges
/// listed, and a full target stops with exit 6 and one clear message.
/// </summary>
public sealed partial class PartialRestoreTests
{
    private readonly ITestOutputHelper _output;
    /// <summary>The chunker's largest chunk (docs/format.md).</summary>
    private const long MaxChunk = 8 * 1024 * 1024;

    public PartialRestoreTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Missing_pack_leaves_no_zero_filled_files_under_real_names()
    {
        using var box = new Sandbox();
        string keep = box.Dir.Sub("keep"), lose = box.Dir.Sub("lose");
        Data.WriteRandomFile(Path.Combine(keep, "kept.bin"), 50_000, 1);
        box.Backup(keep);
        var before = box.PackIds();
        for (int i = 0; i < 4; i++)
        {
            Data.WriteRandomFile(Path.Combine(lose, $"lost{i}.bin"), 60_000, (ulong)(10 + i));
        }
        // The second snapshot holds both directories: "keep" dedups into the first backup's pack.
        string snapshot = box.Backup(keep, lose)["snapshot"]!.GetValue<string>();
        string dataPack = box.LargestPack(box.PackIds().Except(before));
        File.Delete(box.PackFile(dataPack));

        string target = box.Path("out");
        var r = box.Expect(5, "restore", snapshot, "--target", target);
        Assert.DoesNotContain("restored snapshot", r.Stdout, StringComparison.Ordinal);
        for (int i = 0; i < 4; i++)
        {
            string name = Path.Combine(lose, $"lost{i}.bin");
            Assert.False(File.Exists(target + name), $"{name} was not restorable but exists under its real name");
            Assert.False(File.Exists(target + name + ".offsite-partial"), $"{name}: nothing of it is intact, so no partial file either");
            // Listed with the bytes lost: all of them.
            Assert.Contains($"{name}: not restored: bytes 0-59999 of 60000 lost", r.Stderr, StringComparison.Ordinal);
            Assert.Contains(dataPack[..8], r.Stderr, StringComparison.Ordinal);
        }
        Assert.True(TreeCompare.SameBytes(Path.Combine(keep, "kept.bin"), target + Path.Combine(keep, "kept.bin")));
    }

    [Theory]
    [InlineData("big.bin")]
    [InlineData(null)] // a 250-byte name: NAME.offsite-partial would exceed NAME_MAX
    public void Damaged_part_of_a_file_is_kept_as_offsite_partial_with_the_lost_ranges_listed(string? name)
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        name ??= new string('n', 246) + ".bin";
        string big = Path.Combine(src, name);
        // Chunks average ~1 MiB but may reach the 8 MiB maximum (their boundaries depend on the
        // repository's random chunker key), and a damaged age chunk can straddle two blobs: 24 MiB
        // always leaves something intact whichever blobs are hit.
        Data.WriteRandomFile(big, 24 * 1024 * 1024, 7);
        string snapshot = box.Backup(src)["snapshot"]!.GetValue<string>();
        string pack = box.LargestPack(box.PackIds());
        byte[] stored = File.ReadAllBytes(box.PackFile(pack));
        long chunks = stored.Length / (RepoObjects.AgeChunk + 16);
        long flipAt = RepoObjects.CipherOffsetOfChunk(stored, chunks / 2) + 100;
        stored[flipAt] ^= 0x01;
        File.WriteAllBytes(box.PackFile(pack), stored);

        string target = box.Path("out");
        var r = box.Expect(5, "restore", snapshot, "--target", target);
        _output.WriteLine(r.Stderr);
        string restored = target + big;
        Assert.False(File.Exists(restored), "a damaged file must not sit under its real name");
        string partial = Assert.Single(Directory.GetFiles(target + src));
        Assert.EndsWith(".offsite-partial", partial, StringComparison.Ordinal);
        Assert.StartsWith(restored[..Math.Min(restored.Length, target.Length + src.Length + 200)], partial, StringComparison.Ordinal);
        Assert.True(Path.GetFileName(partial).Length <= 255);
        byte[] original = File.ReadAllBytes(big), kept = File.ReadAllBytes(partial);
        Assert.Equal(original.Length, kept.Length);

        // The listed ranges are exactly where the partial file differs from the original (zeros there).
        var match = LostRanges().Match(r.Stderr);
        Assert.True(match.Success, r.Stderr);
        var lost = match.Groups[1].Value.Split(", ").Select(range => range.Split('-').Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.NotEmpty(lost);
        long lostBytes = 0;
        var isLost = new bool[original.Length];
        foreach (var range in lost)
        {
            for (long i = range[0]; i <= range[1]; i++)
            {
                isLost[i] = true;
            }
            lostBytes += range[1] - range[0] + 1;
        }
        Assert.True(lostBytes <= 2 * MaxChunk, $"{lostBytes} bytes lost of {original.Length}: one flipped byte costs the blobs of one age chunk, at most two");
        for (int i = 0; i < original.Length; i++)
        {
            Assert.True(isLost[i] ? kept[i] == 0 : kept[i] == original[i], $"byte {i} (lost: {isLost[i]})");
        }
        Assert.Contains($"are kept in {partial} ", r.Stderr, StringComparison.Ordinal);
    }

    [TmpfsFact]
    public void Full_target_file_system_exits_6_with_one_message_and_no_half_written_file()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        for (int i = 0; i < 6; i++)
        {
            Data.WriteRandomFile(Path.Combine(src, $"file{i}.bin"), 1024 * 1024, (ulong)(i + 1));
        }
        string snapshot = box.Backup(src)["snapshot"]!.GetValue<string>();

        string target = box.Dir.Sub("small");
        using var tmpfs = Tmpfs.Mount(target, "3500k");
        var r = box.Expect(6, "restore", snapshot, "--target", target);
        _output.WriteLine(r.ToString());
        Assert.DoesNotContain("restored snapshot", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("only partly restored", r.Stdout, StringComparison.Ordinal);
        string[] lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string message = Assert.Single(lines);
        Assert.Matches(@"^offsite: target file system full after \d+ files / [0-9.]+ MiB .*nothing else is wrong with the repository", message);

        // Whatever is there is complete and identical; nothing half-written, not even under a partial name.
        var present = Directory.Exists(target + src) ? Directory.GetFiles(target + src) : [];
        Assert.True(present.Length < 6, "the file system was too small for all files");
        foreach (string file in present)
        {
            Assert.DoesNotContain(".offsite-partial", file, StringComparison.Ordinal);
            Assert.True(TreeCompare.SameBytes(Path.Combine(src, Path.GetFileName(file)), file), $"{file} is incomplete");
        }
        int reported = int.Parse(Regex.Match(message, @"after (\d+) files").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(present.Length, reported);
    }

    [GeneratedRegex(@"not restored: bytes ([0-9, -]+?) of \d+ lost")]
    private static partial Regex LostRanges();
}

/// <summary>A tmpfs mounted by the test (tests run as root); unmounted on dispose.</summary>
internal sealed class Tmpfs : IDisposable
{
    private readonly string _path;

    private Tmpfs(string path) => _path = path;

    public static Tmpfs Mount(string path, string size)
    {
        Proc.Ok("/bin/mount", "-t", "tmpfs", "-o", $"size={size},mode=0755", "tmpfs", path);
        return new Tmpfs(path);
    }

    /// <summary>Null when a tmpfs can be mounted here, else why not.</summary>
    public static string? WhyNotMountable()
    {
        if (!Offsite.Posix.PosixFs.IsRoot)
        {
            return "mounting a tmpfs needs root";
        }
        string probe = Path.Combine("/tmp", $"offsite-tmpfs-probe-{Guid.NewGuid():N}");
        Directory.CreateDirectory(probe);
        try
        {
            var r = ProcRunner.Run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]);
            if (r.ExitCode != 0)
            {
                return $"mount -t tmpfs failed here: {r.Stderr.Trim()}";
            }
            ProcRunner.Run("/bin/umount", [probe]);
            return null;
        }
        finally
        {
            Directory.Delete(probe);
        }
    }

    public void Dispose()
    {
        var r = ProcRunner.Run("/bin/umount", [_path]);
        if (r.ExitCode != 0)
        {
            Console.Error.WriteLine($"warning: umount {_path}: {r.Stderr}");
        }
    }
}

/// <summary>A fact that needs a tmpfs it mounts itself: skipped, with the reason, only where mounting is impossible.</summary>
internal sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.WhyNotMountable() is { } reason)
        {
            Skip = reason;
        }
    }
}
