using System.Text.Json.Nodes;
using Amazon.S3.Model;

namespace Offsite.Storage.Tests;

/// <summary>
/// Issue 15, item 4: a write-only key with PutObject-only S3 credentials gets exit 7 ("this is a
/// write-only key …") from every reading command, as with the owner's credentials: the key's capability
/// is checked before the first request that needs read access, not inferred from an AccessDenied LIST.
/// </summary>
public sealed class S3WriteOnlyCapabilityTests
{
    [S3Fact]
    public async Task Reading_commands_say_write_only_key_not_access_denied()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("wocap");
        var (accessKey, secretKey) = await S3TestEnv.CreatePutOnlyWriterAsync(bucket);

        string repo = $"s3:{S3TestEnv.Endpoint}/{bucket}/repo";
        using var ownerCli = new S3Cli(repo);
        ownerCli.Ok("init");
        string src = ownerCli.MakeSource(3);
        ownerCli.Ok("backup", src);
        string hostKey = ownerCli["host.key"];
        ownerCli.Ok("key", "export", "--write-only", "-o", hostKey);

        using var host = new S3Cli(repo, accessKey, secretKey);
        host.Env["OFFSITE_PASSWORD"] = null;
        host.Env["OFFSITE_KEY_FILE"] = hostKey;
        host.Ok("backup", src); // the credentials do allow what a backup host does

        foreach (string[] args in new string[][]
        {
            ["snapshots"], ["restore", "latest", "--target", host["out"]], ["check"], ["ls", "latest"],
            ["dump", "latest", src + "/a/text1.txt"], ["stats"], ["diff", "latest", "latest"],
        })
        {
            var r = host.Run(args);
            Assert.True(r.ExitCode == 7, $"offsite {string.Join(' ', args)} (write-only key, PutObject-only credentials): {r}");
            Assert.Contains("this is a write-only key", r.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("AccessDenied", r.Stderr, StringComparison.Ordinal);
        }
    }
}
