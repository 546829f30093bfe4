using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;

namespace Offsite.Storage.Tests;

/// <summary>
/// Issue 15's damaged-object cases on Ceph RGW, through the real binary: a truncated snapshot, index or key
/// object is reported while every other snapshot stays listable and restorable (item 1), a missing pack leaves
/// no zero-filled file under its real name (item 2), and a changed config value is refused as damage (item 5).
/// The local-storage twins are tests/Offsite.Cli.Tests/DamageIsolationTests, PartialRestoreTests and
/// ConfigAuthenticationTests.
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

    [S3Fact]
    public async Task Missing_pack_leaves_no_zero_filled_files_under_real_names_and_lists_the_bytes_lost()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("dmgpack");
        using var cli = new S3Cli($"s3:{S3TestEnv.Endpoint}/{bucket}/repo");
        using var client = S3TestEnv.Client();
        cli.Ok("init");
        string keep = cli["keep"], lose = cli["lose"];
        Directory.CreateDirectory(keep);
        Directory.CreateDirectory(lose);
        var rng = new Random(15);
        var bytes = new byte[30_000];
        rng.NextBytes(bytes);
        await File.WriteAllBytesAsync(Path.Combine(keep, "kept.bin"), bytes);
        string older = cli.Ok("--json", "backup", keep).Json()["snapshot"]!.GetValue<string>();
        var before = (await ListWithSizesAsync(client, bucket, $"{Prefix}packs/")).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < 4; i++)
        {
            rng.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(lose, $"lost{i}.bin"), bytes);
        }
        // The second snapshot holds both directories: "keep" dedups into the first backup's pack.
        string newer = cli.Ok("--json", "backup", keep, lose).Json()["snapshot"]!.GetValue<string>();
        var added = (await ListWithSizesAsync(client, bucket, $"{Prefix}packs/")).Where(p => !before.Contains(p.Key)).ToList();
        Assert.Equal(2, added.Count); // one tree pack, one data pack
        await client.DeleteObjectAsync(bucket, added.MaxBy(p => p.Size)!.Key);

        string target = cli["out"];
        cli.Env["OFFSITE_CACHE_DIR"] = cli["fresh-cache"];
        var r = cli.Run("restore", newer, "--target", target);
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.DoesNotContain("restored snapshot", r.Stdout, StringComparison.Ordinal);
        for (int i = 0; i < 4; i++)
        {
            string name = Path.Combine(lose, $"lost{i}.bin");
            Assert.False(File.Exists(target + name), $"{name} was not restorable but exists under its real name");
            Assert.False(File.Exists(target + name + ".offsite-partial"), $"{name}: nothing of it is intact, so no partial file either");
            Assert.Contains($"{name}: not restored: bytes 0-29999 of 30000 lost", r.Stderr, StringComparison.Ordinal);
        }
        S3Cli.AssertSameTree(keep, target + keep);
        // The older snapshot needs nothing of the lost pack: it restores with exit 0.
        cli.Ok("restore", older, "--target", cli["out-old"]);
        S3Cli.AssertSameTree(keep, cli["out-old"] + keep);
    }

    [S3Fact]
    public async Task Changed_config_value_is_refused_as_damage()
    {
        var (bucket, cli, _, _, newerDir) = await TwoBackupsAsync("dmgcfg");
        using var _ = cli;
        using var client = S3TestEnv.Client();
        string config = System.Text.Encoding.UTF8.GetString(await GetAsync(client, bucket, $"{Prefix}config"));
        int at = config.IndexOf("\"min\":", StringComparison.Ordinal) + "\"min\":".Length;
        Assert.True(char.IsAsciiDigit(config[at]), config);
        // 524288 → 624288: still a valid chunker setting, still valid JSON; only the MAC can tell.
        string forged = config[..at] + (config[at] == '9' ? '8' : (char)(config[at] + 1)) + config[(at + 1)..];
        await PutAsync(client, bucket, $"{Prefix}config", System.Text.Encoding.UTF8.GetBytes(forged));

        var list = cli.Run("snapshots");
        Assert.True(list.ExitCode == 4, list.ToString());
        Assert.Contains("config fails authentication", list.Stderr, StringComparison.Ordinal);
        var backup = cli.Run("backup", newerDir);
        Assert.True(backup.ExitCode == 4, backup.ToString());
        Assert.Equal(2, (await ListAsync(client, bucket, $"{Prefix}snapshots/")).Count);
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

    private static async Task<List<S3Object>> ListWithSizesAsync(AmazonS3Client client, string bucket, string prefix)
    {
        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix });
        return listed.S3Objects ?? [];
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
