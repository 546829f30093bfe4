using System.Text.RegularExpressions;

namespace Offsite.Cli.Tests;

/// <summary>Backup and restore count the same things in the same categories, and say "1 snapshot", not "1 snapshots".</summary>
public sealed partial class EntryCountTests
{
    [Fact]
    public void Backup_and_restore_print_the_same_counts_for_symlinks_fifos_hardlinks_and_empty_dirs()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        Proc.Shell($"cd {Proc.Quote(src)} && mkdir -p empty deep/er/est && echo one > f1 && echo two > deep/f2 && ln f1 hard && " +
            "ln -s f1 s1 && ln -s /nowhere s2 && mkfifo pipe");
        var backup = box.Ok("backup", src);
        // Directories: every one from / down to src (snapshots keep absolute paths), plus empty, deep, er, est.
        int dirs = src.Split('/', StringSplitOptions.RemoveEmptyEntries).Length + 4;
        string expected = $"3 files, {dirs} dirs, 2 symlinks, 1 other";
        Assert.Contains($"saved: {expected},", backup.Stdout, StringComparison.Ordinal);
        var restore = box.Ok("restore", "latest", "--target", box.Path("out"));
        Assert.Contains($"restored snapshot {SnapshotId().Match(backup.Stdout).Groups[1].Value}: {expected},", restore.Stdout, StringComparison.Ordinal);

        var backupJson = box.Backup(src);
        var restoreJson = box.Json("restore", "latest", "--target", box.Path("out2"));
        foreach (string field in new[] { "files", "dirs", "symlinks", "other" })
        {
            Assert.Equal(backupJson[field]!.GetValue<long>(), restoreJson[field]!.GetValue<long>());
        }
        Assert.Equal(3, restoreJson["files"]!.GetValue<long>());
        box.Ok("backup", Path.Combine(src, "deep"));
        Assert.Contains("1 file unchanged", box.Ok("backup", Path.Combine(src, "deep")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void One_snapshot_is_singular()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "a"), "a");
        box.Ok("backup", src);
        var check = box.Ok("check");
        Assert.Contains("checked 1 snapshot,", check.Stdout, StringComparison.Ordinal);
        box.Ok("backup", src);
        var forget = box.Ok("forget", "--keep-last", "1");
        Assert.Contains("removed 1 snapshot", forget.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("1 snapshots", forget.Stdout + check.Stdout, StringComparison.Ordinal);
    }

    [GeneratedRegex("snapshot ([0-9a-f]{8}) saved")]
    private static partial Regex SnapshotId();
}
