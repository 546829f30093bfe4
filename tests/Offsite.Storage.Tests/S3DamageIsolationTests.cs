using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;

namespace Offsite.Storage.Tests;

/// <summary>
/// Issue 15, item 1 on Ceph RGW: a truncated snapshot, index or key object is reported while every
/// other snapshot stays listable and restorable through the real binary (the local-storage twin is
/// tests/Offsite.Cli.Tests/DamageIsolationTests).
/// </summary>
public sealed class S3DamageIsolationTests
{
    private const string Prefix = "repo/";

    [S3Fact]
    public async Task Truncated_snapshot_is_reported_and_the_other_snapshot_lists_and_restores()
    {
        var (bucket, cli, older, newer, newerDir) = await TwoBackupsAsync("dmgsnap");
        using var _ = cli;
        using var client = S3TestEnv.Client();
        await TruncateAsync(client, bucket, $"{Prefix}snapshots/{older}");

        var list = cli.Run("--json", "snapshots");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal([newer], JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Contains($"warning: snapshots/{older}", list.Stderr, StringComparison.Ordinal);
        cli.Ok("restore", newer, "--target", cli["out"]);
        S3Cli.AssertSameTree(newerDir, cli["out"] + newerDir);
        var restoreOld = cli.Run("restore", older, "--target", cli["out-old"]);
        Assert.True(restoreOld.ExitCode == 4, restoreOld.ToString());
        var check = cli.Run("check");
        Assert.True(check.ExitCode == 4, check.ToString());
        Assert.Contains($"snapshots/{older}", check.Stderr, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task Damaged_index_whose_packs_another_index_describes_costs_nothing()
    {
        var (bucket, cli, older, newer, newerDir) = await TwoBackupsAsync("dmgidx");
        using var _ = cli;
        using var client = S3TestEnv.Client();
        var indexes = await ListAsync(client, bucket, $"{Prefix}index/");
        string index = indexes[0];

        // A second, valid index object with the same content: decrypted and re-encrypted with the age CLI.
        string identity = cli["identity.key"];
        cli.Ok("key", "export", "--identity", "-o", identity);
        string encrypted = cli["index.age"];
        await File.WriteAllBytesAsync(encrypted, await GetAsync(client, bucket, index));
        S3Proc.Ok(S3Proc.Run("/usr/bin/age", ["-d", "-i", identity, "-o", cli["index.plain"], encrypted]), "age -d");
        string recipient = JsonNode.Parse(await GetAsync(client, bucket, $"{Prefix}config"))!["recipient"]!.GetValue<string>();
        S3Proc.Ok(S3Proc.Run("/usr/bin/age", ["-r", recipient, "-o", cli["index.copy"], cli["index.plain"]]), "age -r");
        byte[] copy = await File.ReadAllBytesAsync(cli["index.copy"]);
        await PutAsync(client, bucket, $"{Prefix}index/{Convert.ToHexStringLower(SHA256.HashData(copy))}", copy);
        await TruncateAsync(client, bucket, index);

        cli.Env["OFFSITE_CACHE_DIR"] = cli["fresh-cache"]; // no cached copy of the damaged index
        foreach (string snapshot in new[] { older, newer })
        {
            var r = cli.Run("restore", snapshot, "--target", cli["out-" + snapshot[..8]]);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains(index[Prefix.Length..], r.Stderr, StringComparison.Ordinal);
        }
        S3Cli.AssertSameTree(newerDir, cli["out-" + newer[..8]] + newerDir);
        var check = cli.Run("check");
        Assert.True(check.ExitCode == 4, check.ToString());
        Assert.Contains(index[Prefix.Length..], check.Stderr, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task Damaged_key_object_does_not_stop_another_passphrase()
    {
        var (bucket, cli, _, newer, newerDir) = await TwoBackupsAsync("dmgkey");
        using var __ = cli;
        const string second = "a second passphrase";
        cli.Env["OFFSITE_NEW_PASSWORD"] = second;
        cli.Ok("key", "add");
        using var client = S3TestEnv.Client();
        var keys = await ListAsync(client, bucket, $"{Prefix}keys/");
        Assert.Equal(2, keys.Count);
        // Damage the first passphrase's key object (`key list` marks the one in use).
        var current = JsonDocument.Parse(cli.Ok("--json", "key", "list").Stdout).RootElement.EnumerateArray()
            .Single(k => k.GetProperty("current").GetBoolean()).GetProperty("id").GetString()!;
        string firstKey = keys.Single(k => k.EndsWith(current, StringComparison.Ordinal));
        await TruncateAsync(client, bucket, firstKey);

        cli.Env["OFFSITE_PASSWORD"] = second;
        cli.Env["OFFSITE_CACHE_DIR"] = cli["fresh-cache"];
        var list = cli.Run("--json", "snapshots");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(2, JsonDocument.Parse(list.Stdout).RootElement.GetArrayLength());
        cli.Ok("restore", newer, "--target", cli["out"]);
        S3Cli.AssertSameTree(newerDir, cli["out"] + newerDir);
        var check = cli.Run("check");
        Assert.True(check.ExitCode == 4, check.ToString());
        Assert.Contains(firstKey[Prefix.Length..], check.Stderr, StringComparison.Ordinal);
    }

    private static async Task<(string Bucket, S3Cli Cli, string Older, string Newer, string NewerDir)> TwoBackupsAsync(string tag)
    {
        string bucket = await S3TestEnv.CreateBucketAsync(tag);
        var cli = new S3Cli($"s3:{S3TestEnv.Endpoint}/{bucket}/repo");
        cli.Ok("init");
        string a = cli["a"], b = cli["b"];
        Directory.CreateDirectory(a);
        Directory.CreateDirectory(b);
        var rng = new Random(tag.Length);
        for (int i = 0; i < 4; i++)
        {
            var bytes = new byte[20_000];
            rng.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(a, $"f{i}.bin"), bytes);
            rng.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(b, $"f{i}.bin"), bytes);
        }
        string older = cli.Ok("--json", "backup", a).Json()["snapshot"]!.GetValue<string>();
        string newer = cli.Ok("--json", "backup", b).Json()["snapshot"]!.GetValue<string>();
        return (bucket, cli, older, newer, b);
    }

    private static async Task<List<string>> ListAsync(AmazonS3Client client, string bucket, string prefix)
    {
        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix });
        return (listed.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<byte[]> GetAsync(AmazonS3Client client, string bucket, string key)
    {
        using var response = await client.GetObjectAsync(bucket, key);
        using var ms = new MemoryStream();
        await response.ResponseStream.CopyToAsync(ms);
        return ms.ToArray();
    }

    private static Task PutAsync(AmazonS3Client client, string bucket, string key, byte[] data) =>
        client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(data), UseChunkEncoding = false });

    /// <summary>What `truncate -s 100` does to a file: the object replaced by its first 100 bytes.</summary>
    private static async Task TruncateAsync(AmazonS3Client client, string bucket, string key) =>
        await PutAsync(client, bucket, key, (await GetAsync(client, bucket, key))[..100]);
}
