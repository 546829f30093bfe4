namespace Offsite.Cli.Tests;

/// <summary>A backup host with a write-only key adds backups but reads nothing.</summary>
public sealed class WriteOnlyKeyTests
{
    [Fact]
    public void Write_only_host_backs_up_and_dedups_but_cannot_read()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        for (int i = 0; i < 20; i++)
        {
            File.WriteAllBytes(Path.Combine(src, $"file{i}.bin"), Data.Random(300_000, (ulong)i));
        }
        File.WriteAllBytes(Path.Combine(src, "big.txt"), Data.Compressible(3_000_000, 5));

        string hostKey = box.Path("host.key");
        box.Ok("key", "export", "--write-only", "-o", hostKey);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(hostKey));
        string keyText = File.ReadAllText(hostKey);
        Assert.DoesNotContain("AGE-SECRET-KEY", keyText, StringComparison.Ordinal);
        Assert.Contains("offsite-recipient", keyText, StringComparison.Ordinal);
        box.Expect(2, "key", "export", "--write-only", "-o", hostKey); // refuses to overwrite

        var host = new Dictionary<string, string?>
        {
            ["OFFSITE_PASSWORD"] = null,
            ["OFFSITE_KEY_FILE"] = hostKey,
            ["OFFSITE_CACHE_DIR"] = box.Path("host-cache"),
        };
        ProcResult Host(params string[] args) => box.RunWith(host, null, args);

        var first = Host("--json", "backup", src, "--host", "web1");
        Sandbox.Expect(0, first, ["backup", "(write-only)"]);
        long bytes = first.Json()["bytes"]!.GetValue<long>();
        Assert.True(first.Json()["addedBytes"]!.GetValue<long>() >= bytes);

        var second = Host("--json", "backup", src, "--host", "web1");
        Sandbox.Expect(0, second, ["backup", "(write-only, again)"]);
        long added = second.Json()["addedBytes"]!.GetValue<long>();
        Assert.True(added < bytes / 100, $"second write-only backup added {added} of {bytes} bytes");

        // Everything that reads exits 7 and says why.
        foreach (string[] args in new string[][] { ["snapshots"], ["restore", "latest", "--target", box.Path("nope")], ["check"], ["ls", "latest"], ["dump", "latest", src + "/big.txt"], ["key", "export", "--identity"] })
        {
            var r = Host(args);
            Sandbox.Expect(7, r, [.. args, "(write-only)"]);
            Assert.Contains("write-only", r.Stderr, StringComparison.OrdinalIgnoreCase);
        }
        Assert.False(Directory.Exists(box.Path("nope")) && Directory.EnumerateFileSystemEntries(box.Path("nope")).Any());

        // The owner, with the passphrase, reads the host's backups.
        box.Ok("restore", "latest", "--host", "web1", "--target", box.Path("out"));
        TreeCompare.AssertSameContent(src, box.Path("out") + src);
        box.Ok("check", "--read-data");

        // Losing the host cache is safe: the host re-uploads what it cannot see, and the backup is whole.
        Directory.Delete(box.Path("host-cache"), recursive: true);
        File.WriteAllText(Path.Combine(src, "new.txt"), "after cache loss");
        var third = Host("--json", "backup", src, "--host", "web1");
        Sandbox.Expect(0, third, ["backup", "(write-only, no cache)"]);
        box.Ok("restore", "latest", "--host", "web1", "--target", box.Path("out2"));
        TreeCompare.AssertSameContent(src, box.Path("out2") + src);
        box.Ok("check", "--read-data");
        Assert.Equal(3, box.Json("snapshots", "--host", "web1").AsArray().Count);
    }
}
