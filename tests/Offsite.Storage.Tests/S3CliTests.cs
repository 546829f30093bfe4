using System.Text;

namespace Offsite.Storage.Tests;

/// <summary>The `offsite` command end to end against Ceph RGW, cross-checked with awscli and age.</summary>
public sealed class S3CliTests
{
    [S3Fact]
    public async Task Init_backup_restore_check_round_trip_and_objects_decrypt_with_age()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("cli");
        using var cli = new S3Cli($"s3:{S3TestEnv.Endpoint}/{bucket}/repo");
        string src = cli.MakeSource();
        cli.Ok("init");
        cli.Ok("backup", src);
        cli.Ok("backup", src); // the no-change backup stores nothing new
        var snapshots = System.Text.Json.JsonDocument.Parse(cli.Ok("snapshots", "--json").Stdout).RootElement;
        Assert.Equal(2, snapshots.GetArrayLength());

        string target = cli["restore"];
        cli.Ok("restore", "latest", "--target", target);
        S3Cli.AssertSameTree(src, target + src);
        cli.Ok("check", "--read-data");

        // Independent client: the objects are there under the prefix, and any pack decrypts with age.
        var list = S3Proc.Ok(S3TestEnv.Aws("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "repo/packs/", "--query", "Contents[].Key", "--output", "text"), "aws list");
        string packKey = list.Stdout.Split((char[])['\t', '\n'], StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.StartsWith("repo/packs/", packKey, StringComparison.Ordinal);
        string pack = cli["pack.age"];
        S3Proc.Ok(S3TestEnv.Aws("s3api", "get-object", "--bucket", bucket, "--key", packKey, pack), "aws get-object");
        string identity = cli["identity.key"];
        cli.Ok("key", "export", "--identity", "-o", identity);
        var plain = S3Proc.Ok(S3Proc.Run("/usr/bin/age", ["-d", "-i", identity, pack]), "age -d");
        Assert.EndsWith("OFSPACK1", Encoding.ASCII.GetString(plain.StdoutBytes[^8..]), StringComparison.Ordinal);
        var config = S3Proc.Ok(S3TestEnv.Aws("s3api", "get-object", "--bucket", bucket, "--key", "repo/config", cli["config.json"]), "aws get config");
        Assert.Contains("\"age-v1\"", await File.ReadAllTextAsync(cli["config.json"]), StringComparison.Ordinal);
        _ = config;
    }

    [S3Fact]
    public async Task Bucket_url_with_separate_endpoint_works_and_errors_are_clear()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("cli2");
        using var cli = new S3Cli($"s3://{bucket}/p");
        cli.Env["OFFSITE_S3_ENDPOINT"] = S3TestEnv.Endpoint;
        cli.Ok("init");
        var wrong = cli.Run("--repo", $"s3://{bucket}/nothing-here", "snapshots");
        Assert.True(wrong.ExitCode == 8, wrong.ToString()); // no repository there

        cli.Env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret";
        var denied = cli.Run("snapshots");
        Assert.True(denied.ExitCode == 6, denied.ToString());
        Assert.DoesNotContain("not-the-secret", denied.Stderr, StringComparison.Ordinal);

        var usage = cli.Run("--repo", "s3://Bad_Bucket/x", "snapshots");
        Assert.True(usage.ExitCode == 2, usage.ToString());
        var lockDays = cli.Run("--object-lock", "compliance", "snapshots");
        Assert.True(lockDays.ExitCode == 2, lockDays.ToString());
    }
}
