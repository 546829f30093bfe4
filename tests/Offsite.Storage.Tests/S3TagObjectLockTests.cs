namespace Offsite.Storage.Tests;

/// <summary>`offsite tag` on an Object Lock repository: the snapshot object cannot be replaced, so tag refuses before writing.</summary>
public sealed class S3TagObjectLockTests
{
    [S3Fact]
    public async Task Tag_refuses_a_locked_snapshot_with_exit_11_and_writes_nothing()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("taglock", objectLock: true);
        using var cli = new S3Cli($"s3:{S3TestEnv.Endpoint}/{bucket}/repo");
        string src = cli.MakeSource(2);
        cli.Ok("--object-lock", "compliance", "--lock-days", "1", "init");
        cli.Ok("--object-lock", "compliance", "--lock-days", "1", "backup", src);
        string before = cli.Ok("--json", "snapshots").Stdout;

        var r = cli.Run("tag", "latest", "--add", "x");
        Assert.True(r.ExitCode == 11, $"expected exit 11: {r}");
        Assert.Contains("Object Lock until", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, cli.Ok("--json", "snapshots").Stdout);

        // A tag that changes nothing touches no object and succeeds.
        cli.Ok("tag", "latest", "--remove", "absent");
        Assert.Equal(before, cli.Ok("--json", "snapshots").Stdout);
    }
}
