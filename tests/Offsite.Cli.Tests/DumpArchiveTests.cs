namespace Offsite.Cli.Tests;

/// <summary>`dump SNAPSHOT DIR` as tar and zip, unpacked by the real tar and unzip and compared with the source.</summary>
public sealed class DumpArchiveTests
{
    private const string Tar = "/bin/tar", Unzip = "/usr/bin/unzip";

    /// <summary>A tree with modes, owners, a symlink, an empty directory, a nested file and known mtimes.</summary>
    private static string MakeTree(Sandbox box)
    {
        string src = box.Dir.Sub("src");
        Directory.CreateDirectory(Path.Combine(src, "sub", "empty"));
        File.WriteAllBytes(Path.Combine(src, "big.bin"), Data.Random(3_000_000, 7));
        File.WriteAllText(Path.Combine(src, "sub", "secret.txt"), "only the owner");
        File.WriteAllText(Path.Combine(src, "run.sh"), "#!/bin/sh\necho hi\n");
        File.CreateSymbolicLink(Path.Combine(src, "sub", "link"), "../run.sh");
        Proc.Shell($"cd {Proc.Quote(src)} && chmod 600 sub/secret.txt && chmod 750 run.sh && chmod 2770 sub/empty && chown 1234:5678 sub/secret.txt && " +
            "touch -h -d '2021-05-06 07:08:10Z' sub/link && touch -d '2021-05-06 07:08:10Z' big.bin run.sh sub/secret.txt sub/empty sub .");
        return src;
    }

    [RootFact]
    public void A_directory_dumped_as_tar_unpacks_to_the_same_tree_with_modes_owners_mtimes_and_symlinks()
    {
        using var box = new Sandbox();
        string src = MakeTree(box);
        box.Backup(src);
        string tarFile = box.Path("out.tar");
        File.WriteAllBytes(tarFile, box.Ok("dump", "latest", src).StdoutBytes);
        string outDir = box.Dir.Sub("untar");
        Proc.Ok(Tar, "-x", "--numeric-owner", "-p", "-f", tarFile, "-C", outDir);
        TreeCompare.AssertSameContent(src, outDir + src);
        TreeCompare.AssertSameMetadata(src, outDir + src);
        // Owners as numbers, modes in octal, the symlink as a symlink: what `tar tv` lists.
        string listing = Proc.Ok(Tar, "-tv", "--numeric-owner", "-f", tarFile).Stdout;
        Assert.Contains("-rw------- 1234/5678", listing, StringComparison.Ordinal);
        Assert.Contains("sub/link -> ../run.sh", listing, StringComparison.Ordinal);

        // A subdirectory holds only itself and what is below it, named as in the snapshot.
        File.WriteAllBytes(tarFile, box.Ok("dump", "latest", src + "/sub", "--archive", "tar").StdoutBytes);
        var names = Proc.Ok(Tar, "-tf", tarFile).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        string rel = src.TrimStart('/');
        Assert.Equal([rel + "/sub/", rel + "/sub/empty/", rel + "/sub/link", rel + "/sub/secret.txt"], names);

        // A file is still written as is; a missing path is exit 10 naming the snapshot.
        Assert.Equal("#!/bin/sh\necho hi\n", box.Ok("dump", "latest", src + "/run.sh").Stdout);
        var missing = box.Expect(10, "dump", "latest", src + "/nothere");
        Assert.Contains("snapshot ", missing.Stderr, StringComparison.Ordinal);
        box.Expect(2, "dump", "latest", src, "--archive", "rar");
    }

    [Fact]
    public void A_directory_dumped_as_zip_unpacks_with_unzip_to_the_same_files_modes_and_symlinks()
    {
        Proc.Require(Unzip);
        using var box = new Sandbox();
        string src = MakeTree(box);
        box.Backup(src);
        string zipFile = box.Path("out.zip");
        File.WriteAllBytes(zipFile, box.Ok("dump", "latest", src, "--archive", "zip").StdoutBytes);
        string outDir = box.Dir.Sub("unzip");
        Proc.Ok(Unzip, "-q", "-K", zipFile, "-d", outDir); // -K: keep setuid, setgid and sticky bits too
        TreeCompare.AssertSameContent(src, outDir + src);
        // Zip keeps permission bits and types; its DOS times have 2-second resolution, and it has no owners.
        foreach (string rel in new[] { "big.bin", "run.sh", "sub/secret.txt", "sub/empty" })
        {
            Assert.Equal(File.GetUnixFileMode(Path.Combine(src, rel)), File.GetUnixFileMode(Path.Combine(outDir + src, rel)));
        }
        foreach (string rel in new[] { "big.bin", "run.sh", "sub/secret.txt" })
        {
            var delta = File.GetLastWriteTimeUtc(Path.Combine(src, rel)) - File.GetLastWriteTimeUtc(Path.Combine(outDir + src, rel));
            Assert.True(Math.Abs(delta.TotalSeconds) <= 2, $"{rel}: mtime off by {delta}");
        }
        Assert.Equal("../run.sh", new FileInfo(Path.Combine(outDir + src, "sub", "link")).LinkTarget);
    }
}
