using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Offsite.Cli.Tests;

/// <summary>A backup killed with SIGKILL at any moment leaves a valid repository, and its uploads are reused.</summary>
[Collection(HeavyCollection.Name)]
public sealed class CrashTests
{
    private const int Runs = 4;
    private const double MaxStoredRatio = 1.3;
    private readonly ITestOutputHelper _output;

    public CrashTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Killed_backups_leave_a_valid_repository_and_their_uploads_are_reused()
    {
        using var data = new TempDir("crash-src");
        string src = data.Sub("src");
        WriteSource(src);

        // A clean backup of the same data: the reference for duration and stored size.
        long cleanStored;
        TimeSpan typical;
        using (var clean = new Sandbox())
        {
            var watch = Stopwatch.StartNew();
            clean.Ok("backup", src);
            typical = watch.Elapsed;
            cleanStored = clean.PackBytes();
        }
        _output.WriteLine($"clean backup: {cleanStored} bytes stored in {typical.TotalSeconds:0.00}s");
        Assert.True(typical.TotalSeconds > 0.5, $"a clean backup took only {typical.TotalSeconds:0.00}s: too little data to interrupt");

        int seed = Environment.GetEnvironmentVariable("OFFSITE_CRASH_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Environment.TickCount;
        var rng = new Random(seed);
        _output.WriteLine($"seed {seed} (set OFFSITE_CRASH_SEED to repeat)");
        for (int run = 0; run < Runs; run++)
        {
            using var box = new Sandbox();
            double killAfter = 0.2 + (rng.NextDouble() * (typical.TotalSeconds - 0.2));
            using (var backup = box.Start("backup", src))
            {
                bool exited = backup.WaitForExit(TimeSpan.FromSeconds(killAfter));
                if (!exited)
                {
                    backup.Kill(); // SIGKILL: no cleanup, no finally blocks
                }
                Assert.True(backup.WaitForExit(30_000), "killed backup did not go away");
                _output.WriteLine($"run {run}: {(exited ? $"finished (exit {backup.ExitCode}) before" : "killed at")} {killAfter:0.00}s, {box.PackIds().Count} packs, {box.PackBytes()} bytes, {TmpBytes(box)} bytes in *.tmp, {box.Objects("index").Count} indexes, {box.Objects("snapshots").Count} snapshots");
            }

            var check = box.Ok("check");
            Assert.DoesNotContain("error", check.Stderr, StringComparison.OrdinalIgnoreCase);

            var full = box.Backup(src);
            Assert.Equal(TotalSize(src), full["bytes"]!.GetValue<long>());
            box.Ok("check");
            long stored = box.PackBytes(), leftovers = TmpBytes(box);
            double ratio = (double)(stored + leftovers) / cleanStored;
            _output.WriteLine($"run {run}: after full backup {stored} bytes in packs + {leftovers} in *.tmp = {ratio:0.000}x clean; the full backup added {full["addedStoredBytes"]} bytes");
            Assert.True(ratio < MaxStoredRatio, $"run {run}: stored {stored + leftovers} bytes, {ratio:0.000}x a clean backup's {cleanStored}");

            // Spot-check the content: a file from the middle of the tree comes back whole.
            string probe = Path.Combine(src, "d1", "big03.bin");
            Assert.True(box.Ok("dump", "latest", probe).StdoutBytes.AsSpan().SequenceEqual(File.ReadAllBytes(probe)), "dumped file differs");
        }
    }

    /// <summary>About 300 MB of incompressible data: big files and many small ones in a few directories.</summary>
    private static void WriteSource(string src)
    {
        for (int d = 0; d < 3; d++)
        {
            string dir = Directory.CreateDirectory(Path.Combine(src, $"d{d}")).FullName;
            for (int i = 0; i < 8; i++)
            {
                Data.WriteRandomFile(Path.Combine(dir, $"big{i:00}.bin"), 12_000_000, (ulong)((d * 100) + i));
            }
            for (int i = 0; i < 200; i++)
            {
                File.WriteAllBytes(Path.Combine(dir, $"small{i:000}.bin"), Data.Random(20_000, (ulong)((d * 1000) + i + 50)));
            }
        }
    }

    private static long TotalSize(string dir) => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    private static long TmpBytes(Sandbox box) =>
        Directory.EnumerateFiles(box.Repo, "*.tmp", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
