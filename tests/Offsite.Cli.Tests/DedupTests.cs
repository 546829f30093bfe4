using Xunit.Abstractions;

namespace Offsite.Cli.Tests;

/// <summary>Unchanged data costs nothing; a local edit costs about the edit.</summary>
[Collection(HeavyCollection.Name)]
public sealed class DedupTests
{
    private readonly ITestOutputHelper _output;

    public DedupTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Second_backup_of_unchanged_data_adds_under_one_percent()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        for (int d = 0; d < 5; d++)
        {
            string dir = Directory.CreateDirectory(Path.Combine(src, $"d{d}")).FullName;
            for (int i = 0; i < 40; i++)
            {
                File.WriteAllBytes(Path.Combine(dir, $"r{i}.bin"), Data.Random(100_000 + (i * 997), (ulong)((d * 100) + i)));
            }
            File.WriteAllBytes(Path.Combine(dir, "log.txt"), Data.Compressible(4_000_000, d));
            Data.WriteRandomFile(Path.Combine(dir, "blob.bin"), 6_000_000, (ulong)(1000 + d));
        }

        var first = box.Backup(src);
        long bytes = first["bytes"]!.GetValue<long>();
        var second = box.Backup(src);
        var third = box.Backup("--no-cache", src);
        foreach (var (name, r) in new[] { ("cached", second), ("--no-cache", third) })
        {
            long added = r["addedBytes"]!.GetValue<long>(), stored = r["addedStoredBytes"]!.GetValue<long>();
            _output.WriteLine($"unchanged re-backup ({name}): {bytes} bytes, added {added} ({100.0 * added / bytes:0.0000}%), stored {stored}");
            Assert.Equal(bytes, r["bytes"]!.GetValue<long>());
            Assert.True(added < bytes / 100, $"{name}: added {added} of {bytes}");
            Assert.True(stored < bytes / 100, $"{name}: stored {stored} of {bytes}");
        }
    }

    [Fact]
    public void Inserting_one_MiB_into_a_200_MB_file_adds_under_10_MiB()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        string file = Path.Combine(src, "disk.img");
        const long size = 200_000_000;
        Data.WriteRandomFile(file, size, 42);
        var first = box.Backup(src);
        Assert.Equal(size, first["bytes"]!.GetValue<long>());

        // Rewrite the file with 1 MiB of new data inserted in the middle.
        string edited = box.Path("edited.img");
        using (var input = File.OpenRead(file))
        using (var output = new FileStream(edited, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            CopyBytes(input, output, size / 2);
            output.Write(Data.Random(1 << 20, 4242));
            input.CopyTo(output, 1 << 20);
        }
        File.Move(edited, file, overwrite: true);

        var second = box.Backup(src);
        long added = second["addedBytes"]!.GetValue<long>();
        _output.WriteLine($"1 MiB insert into {size} bytes: added {added} bytes ({added / 1048576.0:0.00} MiB), stored {second["addedStoredBytes"]}");
        Assert.Equal(size + (1 << 20), second["bytes"]!.GetValue<long>());
        Assert.True(added < 10L << 20, $"added {added} bytes");
        Assert.True(added >= 1 << 20, $"added {added} bytes, less than the insert itself");

        // And the edited file comes back exactly.
        var dump = box.Ok("dump", "latest", file);
        Assert.Equal(size + (1 << 20), dump.StdoutBytes.LongLength);
        Assert.True(dump.StdoutBytes.AsSpan().SequenceEqual(File.ReadAllBytes(file)), "dumped file differs");
    }

    private static void CopyBytes(Stream input, Stream output, long count)
    {
        var buffer = new byte[1 << 20];
        while (count > 0)
        {
            int n = input.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            Assert.True(n > 0, "unexpected end of file");
            output.Write(buffer, 0, n);
            count -= n;
        }
    }
}
