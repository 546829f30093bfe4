using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3.Model;
using Offsite.Storage.S3;
using Xunit.Abstractions;

namespace Offsite.Storage.Tests;

/// <summary>
/// `offsite copy` end to end on Ceph RGW: local → RGW without any key, RGW bucket → RGW bucket with the
/// least-privilege `copy` (target) and `restore` (source) policies, a copy killed with SIGKILL and resumed,
/// and a tampered source object reported and not copied. Every copy restores byte-identically and passes
/// `check --read-data`.
/// </summary>
public sealed class S3CopyTests(ITestOutputHelper output)
{
    private static string Url(string bucket) => $"s3:{S3TestEnv.Endpoint}/{bucket}/repo";

    private static JsonElement Json(ProcResult r) => JsonDocument.Parse(r.Stdout).RootElement;

    /// <summary>The copier's environment: no passphrase or key at all, so a mirror provably needs none.</summary>
    private static Dictionary<string, string?> NoKey(S3Cli cli) => new(cli.Env) { ["OFFSITE_PASSWORD"] = null };

    private static ProcResult RunWith(Dictionary<string, string?> env, params string[] args) =>
        S3Proc.Run("/usr/bin/dotnet", [S3Cli.Binary, .. args], env);

    [S3Fact]
    public async Task Local_to_RGW_then_bucket_to_bucket_with_least_privilege_copies_incrementally_and_restores_identically()
    {
        string first = await S3TestEnv.CreateBucketAsync("copy-a");
        string second = await S3TestEnv.CreateBucketAsync("copy-b");
        using var cli = new S3Cli(LocalPlaceholder);
        string local = cli["local-repo"];
        cli.Env["OFFSITE_REPOSITORY"] = local;
        cli.Ok("init");
        string src = cli.MakeSource(3);
        cli.Ok("backup", src, "--tag", "one");

        // local → RGW, no key anywhere in the environment.
        var copied = Json(S3Proc.Ok(RunWith(NoKey(cli), "copy", "--to", Url(first), "--json"), "copy local → RGW"));
        Assert.True(copied.GetProperty("copied").GetInt32() >= 4, copied.ToString()); // key, pack(s), index, snapshot
        Assert.Equal(0, copied.GetProperty("alreadyThere").GetInt32());

        // A copier identity that may only read+list the source bucket and add to the target bucket.
        var (accessKey, secretKey) = await CopierUserAsync(first, second);
        var copier = new Dictionary<string, string?>(NoKey(cli))
        {
            ["OFFSITE_REPOSITORY"] = Url(first), ["AWS_ACCESS_KEY_ID"] = accessKey, ["AWS_SECRET_ACCESS_KEY"] = secretKey,
        };
        var toSecond = Json(S3Proc.Ok(RunWith(copier, "copy", "--to", Url(second), "--json"), "copy RGW → RGW as the copy role"));
        Assert.Equal(copied.GetProperty("copied").GetInt32(), toSecond.GetProperty("copied").GetInt32());
        Assert.Equal(1, toSecond.GetProperty("snapshots").GetArrayLength());

        // Incremental: a second backup, then each copy moves only what is new.
        File.WriteAllText(Path.Combine(src, "a", "new.txt"), "new file\n");
        cli.Ok("backup", src, "--tag", "two");
        var again = Json(S3Proc.Ok(RunWith(NoKey(cli), "copy", "--to", Url(first), "--json"), "second copy local → RGW"));
        output.WriteLine(again.ToString());
        Assert.InRange(again.GetProperty("copied").GetInt32(), 3, 4); // new pack(s), index, snapshot
        Assert.True(again.GetProperty("alreadyThere").GetInt32() >= 4);
        var againSecond = Json(S3Proc.Ok(RunWith(copier, "copy", "--to", Url(second), "--json"), "second copy RGW → RGW"));
        Assert.Equal(again.GetProperty("copied").GetInt32(), againSecond.GetProperty("copied").GetInt32());
        var nothing = Json(S3Proc.Ok(RunWith(copier, "copy", "--to", Url(second), "--json"), "third copy: nothing new"));
        Assert.Equal(0, nothing.GetProperty("copied").GetInt32());

        // The copy is the same repository: same passphrase, restores byte-identically, checks clean.
        string restored = cli["restored"];
        cli.Ok("--repo", Url(second), "restore", "latest", "--target", restored);
        S3Cli.AssertSameTree(src, restored + src);
        cli.Ok("--repo", Url(second), "check", "--read-data");
        Assert.Equal(2, Json(cli.Ok("--repo", Url(second), "snapshots", "--json")).GetArrayLength());

        // The copy role cannot delete in the target, and cannot write to the source.
        using var asCopier = S3TestEnv.Client(accessKey, secretKey);
        using var owner = S3TestEnv.Client();
        var someKey = (await owner.ListObjectsV2Async(new ListObjectsV2Request { BucketName = second, Prefix = "repo/packs/" })).S3Objects![0].Key;
        await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => asCopier.DeleteObjectAsync(new DeleteObjectRequest { BucketName = second, Key = someKey }));
        await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => asCopier.PutObjectAsync(new PutObjectRequest { BucketName = first, Key = "repo/snapshots/x", ContentBody = "x", UseChunkEncoding = false }));
    }

    private const string LocalPlaceholder = "/nonexistent-set-below";

    [S3Fact]
    public async Task A_copy_killed_with_SIGKILL_leaves_a_valid_target_and_the_next_run_resumes()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("copy-kill");
        using var cli = new S3Cli(LocalPlaceholder);
        cli.Env["OFFSITE_REPOSITORY"] = cli["local-repo"];
        cli.Ok("init", "--pack-size", "1");
        string src = cli["src"];
        Directory.CreateDirectory(src);
        var bytes = new byte[24 << 20];
        new Random(17).NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(src, "random.bin"), bytes);
        cli.Ok("backup", src);
        int packs = Directory.GetFiles(Path.Combine(cli["local-repo"], "packs"), "*", SearchOption.AllDirectories).Length;
        Assert.True(packs >= 12, $"{packs} packs");

        // Slow the target down (16 Mbit/s: ~12 s for everything) so the kill lands mid-copy.
        await using var proxy = new FaultProxy(new Uri(S3TestEnv.Endpoint)) { BitsPerSecond = 16_000_000 };
        string slowTarget = $"s3:{proxy.Endpoint}/{bucket}/repo";
        using var process = ProcRunner.Start("/usr/bin/dotnet", [S3Cli.Binary, "copy", "--to", slowTarget], NoKey(cli));
        using var owner = S3TestEnv.Client();
        int copiedBeforeKill = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            copiedBeforeKill = (await owner.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/packs/" })).S3Objects?.Count ?? 0;
            if (copiedBeforeKill >= 3)
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.False(process.HasExited, "the copy finished before it could be killed: slow the proxy further");
        process.Kill(); // SIGKILL
        await process.WaitForExitAsync();
        output.WriteLine($"killed after {copiedBeforeKill} of {packs} packs");
        Assert.InRange(copiedBeforeKill, 3, packs - 1);

        // The target is a valid repository meanwhile: it opens, has no snapshot yet, and check finds no damage.
        Assert.Equal(0, Json(cli.Ok("--repo", Url(bucket), "snapshots", "--json")).GetArrayLength());
        cli.Ok("--repo", Url(bucket), "check");

        var resumed = Json(S3Proc.Ok(RunWith(NoKey(cli), "copy", "--to", Url(bucket), "--json"), "resumed copy"));
        output.WriteLine(resumed.ToString());
        Assert.True(resumed.GetProperty("alreadyThere").GetInt32() >= copiedBeforeKill + 2, resumed.ToString()); // + key and config
        string restored = cli["restored"];
        cli.Ok("--repo", Url(bucket), "restore", "latest", "--target", restored);
        S3Cli.AssertSameTree(src, restored + src);
        cli.Ok("--repo", Url(bucket), "check", "--read-data");
    }

    [S3Fact]
    public async Task A_tampered_source_pack_is_reported_and_not_copied_and_everything_else_is()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("copy-tamper");
        using var cli = new S3Cli(LocalPlaceholder);
        string local = cli["local-repo"];
        cli.Env["OFFSITE_REPOSITORY"] = local;
        cli.Ok("init", "--pack-size", "1");
        string src = cli.MakeSource(4);
        cli.Ok("backup", src);
        // Flip one byte in the middle of the largest pack (a data pack).
        string victim = Directory.GetFiles(Path.Combine(local, "packs"), "*", SearchOption.AllDirectories).OrderByDescending(f => new FileInfo(f).Length).First();
        using (var f = new FileStream(victim, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = f.Length / 2;
            int b = f.ReadByte();
            f.Position = f.Length / 2;
            f.WriteByte((byte)(b ^ 0x40));
        }
        string victimKey = "repo/packs/" + Path.GetFileName(Path.GetDirectoryName(victim)) + "/" + Path.GetFileName(victim);

        var r = RunWith(NoKey(cli), "copy", "--to", Url(bucket));
        Assert.True(r.ExitCode == 4, r.ToString());
        Assert.Contains(Path.GetFileName(victim), r.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not match its name", r.Stderr, StringComparison.Ordinal);

        using var owner = S3TestEnv.Client();
        var keys = (await owner.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/" })).S3Objects!.Select(o => o.Key).ToHashSet();
        Assert.DoesNotContain(victimKey, keys);
        int sourcePacks = Directory.GetFiles(Path.Combine(local, "packs"), "*", SearchOption.AllDirectories).Length;
        Assert.Equal(sourcePacks - 1, keys.Count(k => k.StartsWith("repo/packs/", StringComparison.Ordinal)));
        // The target's own check names the same pack as missing: the damage is visible, not hidden.
        var check = cli.Run("--repo", Url(bucket), "check");
        Assert.True(check.ExitCode == 4, check.ToString());
        Assert.Contains(Path.GetFileName(victim), check.Stderr, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task Copying_chosen_snapshots_needs_the_identity_and_copies_only_their_packs()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("copy-filter");
        using var cli = new S3Cli(LocalPlaceholder);
        string local = cli["local-repo"];
        cli.Env["OFFSITE_REPOSITORY"] = local;
        cli.Ok("init");
        string src = cli.MakeSource(5);
        cli.Ok("backup", src, "--source", "files");
        string other = cli["other"];
        Directory.CreateDirectory(other);
        File.WriteAllBytes(Path.Combine(other, "blob.bin"), RandomBytes(3 << 20, 8));
        cli.Ok("backup", other, "--source", "other");

        cli.Ok("key", "export", "--write-only", "-o", cli["host.key"]);
        var writeOnly = new Dictionary<string, string?>(NoKey(cli)) { ["OFFSITE_KEY_FILE"] = cli["host.key"] };
        var refused = RunWith(writeOnly, "copy", "--to", Url(bucket), "--source", "files");
        Assert.True(refused.ExitCode == 7, refused.ToString());

        var copied = Json(cli.Ok("copy", "--to", Url(bucket), "--source", "files", "--json"));
        Assert.Equal(1, copied.GetProperty("snapshots").GetArrayLength());
        var snapshots = Json(cli.Ok("--repo", Url(bucket), "snapshots", "--json"));
        Assert.Equal("files", Assert.Single(snapshots.EnumerateArray()).GetProperty("source").GetString());
        using var owner = S3TestEnv.Client();
        long copiedBytes = (await owner.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/packs/" })).S3Objects!.Sum(o => o.Size ?? 0);
        Assert.True(copiedBytes < 12 << 20, $"{copiedBytes} bytes of packs: the other source's 3 MiB of random data should not be there"); // source: ~9 MiB, mostly compressible
        string restored = cli["restored"];
        cli.Ok("--repo", Url(bucket), "restore", "latest", "--target", restored);
        S3Cli.AssertSameTree(src, restored + src);
        cli.Ok("--repo", Url(bucket), "check", "--read-data");
        // Copying it again adds nothing, not even another index object.
        Assert.Equal(0, Json(cli.Ok("copy", "--to", Url(bucket), "--source", "files", "--json")).GetProperty("copied").GetInt32());
        Assert.Single((await owner.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/index/" })).S3Objects!);
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>An RGW user with the `restore` policy on the source bucket and the `copy` policy on the target, as `bucket setup --print` gives them.</summary>
    private static async Task<(string AccessKey, string SecretKey)> CopierUserAsync(string sourceBucket, string targetBucket)
    {
        string uid = $"copier-{Guid.NewGuid():N}"[..20];
        string accessKey = "C" + Guid.NewGuid().ToString("N")[..19].ToUpperInvariant();
        string secretKey = Guid.NewGuid().ToString("N");
        string cephConf = S3TestEnv.CephConf ?? throw new InvalidOperationException("OFFSITE_TEST_CEPH_CONF is not set (bash scripts/peers.sh env)");
        S3Proc.Ok(S3Proc.Run("/usr/bin/radosgw-admin", ["-c", cephConf, "user", "create", $"--uid={uid}", $"--display-name={uid}", $"--access-key={accessKey}", $"--secret-key={secretKey}"]), "radosgw-admin user create");
        using var owner = S3TestEnv.Client();
        foreach (var (bucket, policy) in new[]
        {
            (sourceBucket, BucketPolicies.Restore(new BucketSettings { Bucket = sourceBucket, Prefix = "repo/" })),
            (targetBucket, BucketPolicies.Copy(new BucketSettings { Bucket = targetBucket, Prefix = "repo/" })),
        })
        {
            foreach (var statement in policy["Statement"]!.AsArray())
            {
                statement!["Principal"] = new JsonObject { ["AWS"] = new JsonArray($"arn:aws:iam:::user/{uid}") };
            }
            await owner.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = policy.ToJsonString() });
        }
        return (accessKey, secretKey);
    }
}
