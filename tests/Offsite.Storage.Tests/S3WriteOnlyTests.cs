using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
using Offsite.Storage.S3;

namespace Offsite.Storage.Tests;

/// <summary>
/// A backup host with a write-only key and S3 credentials that may only PutObject (plus GetObject on the
/// plaintext config), exactly as `bucket setup --print` prescribes, backs up to RGW; it cannot list, read
/// packs, delete, or touch keys/. The owner restores byte-identically.
/// </summary>
public sealed class S3WriteOnlyTests
{
    [S3Fact]
    public async Task Write_only_host_backs_up_with_put_only_credentials_and_the_owner_restores()
    {
        string bucket = await S3TestEnv.CreateBucketAsync("wo");
        var (accessKey, secretKey) = await S3TestEnv.CreatePutOnlyWriterAsync(bucket);

        string repo = $"s3:{S3TestEnv.Endpoint}/{bucket}/repo";
        using var ownerCli = new S3Cli(repo);
        ownerCli.Ok("init");
        string ownerSrc = ownerCli.MakeSource(9);
        ownerCli.Ok("backup", ownerSrc); // packs the writer did not write
        var ownerPacks = new HashSet<string>(StringComparer.Ordinal);
        using (var owner = S3TestEnv.Client())
        {
            var listed = await owner.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/packs/" });
            ownerPacks.UnionWith(listed.S3Objects!.Select(o => o.Key));
        }
        string hostKey = ownerCli["host.key"];
        ownerCli.Ok("key", "export", "--write-only", "-o", hostKey);

        using var host = new S3Cli(repo, accessKey, secretKey);
        host.Env["OFFSITE_PASSWORD"] = null;
        host.Env["OFFSITE_KEY_FILE"] = hostKey;
        string src = host.MakeSource(5);
        host.Ok("backup", src);
        File.AppendAllText(Path.Combine(src, "a", "text1.txt"), "changed\n");
        host.Ok("backup", src); // dedups from its local cache, still without reading the bucket

        // The writer's credentials: no listing, no reading packs, no deleting, no replacing keys or config.
        // (Checked with the SDK: awscli 2.9 crashes on RGW's AccessDenied replies, whose Message is empty.)
        using var ownerClient = S3TestEnv.Client();
        var objects = await ownerClient.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/" });
        string pack = ownerPacks.First();
        string ownPack = objects.S3Objects!.First(o => o.Key.StartsWith("repo/packs/", StringComparison.Ordinal) && !ownerPacks.Contains(o.Key)).Key;
        Assert.Equal(3, objects.S3Objects!.Count(o => o.Key.StartsWith("repo/snapshots/", StringComparison.Ordinal)));
        using var writer = S3TestEnv.Client(accessKey, secretKey);
        await AssertDenied(() => writer.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/" }));
        await AssertDenied(() => writer.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }));
        await AssertDenied(() => writer.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = pack }));
        await AssertDenied(() => writer.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = pack }));
        await AssertDenied(() => writer.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = pack }));
        await AssertDenied(() => writer.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = ownPack }));
        await AssertDenied(() => writer.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "repo/keys/evil", ContentBody = "x", UseChunkEncoding = false }));
        await AssertDenied(() => writer.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "repo/config", ContentBody = "{}", UseChunkEncoding = false }));
        await using (var ownerStorage = new S3Storage(S3TestEnv.Options(bucket, "repo/")))
        {
            Assert.Contains("\"age-v1\"", System.Text.Encoding.UTF8.GetString(await ownerStorage.GetAsync("config", default)), StringComparison.Ordinal);
        }
        var after = await ownerClient.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/" });
        Assert.Contains(after.S3Objects!, o => o.Key == pack);
        Assert.Contains(after.S3Objects!, o => o.Key == ownPack);
        Assert.DoesNotContain(after.S3Objects!, o => o.Key == "repo/keys/evil");

        // And the host's key cannot read either, even with owner credentials.
        host.Env["AWS_ACCESS_KEY_ID"] = S3TestEnv.AccessKey;
        host.Env["AWS_SECRET_ACCESS_KEY"] = S3TestEnv.SecretKey;
        var snapshots = host.Run("snapshots");
        Assert.True(snapshots.ExitCode == 7, snapshots.ToString());

        string target = ownerCli["restore"];
        ownerCli.Ok("restore", "latest", "--target", target);
        S3Cli.AssertSameTree(src, target + src);
        ownerCli.Ok("check", "--read-data");
    }

    private static async Task AssertDenied(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(call);
        // RGW answers 403, or 405 for a PUT over an existing object the caller may not write.
        Assert.True(e.StatusCode is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.MethodNotAllowed, $"{e.StatusCode} {e.ErrorCode}");
    }
}
