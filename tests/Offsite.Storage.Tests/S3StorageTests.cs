using System.Security.Cryptography;
using Amazon.S3.Model;
using Offsite.Core.Storage;
using Offsite.Storage.S3;

namespace Offsite.Storage.Tests;

/// <summary>
/// The storage conformance suite against the real Ceph RGW, plus S3-specific behaviour: multipart,
/// Content-MD5, key prefixes and an independent awscli cross-check. Each test gets a fresh prefix in a
/// shared bucket. These inherited tests cannot be skipped in xunit 2: without OFFSITE_TEST_S3_ENDPOINT
/// they fail with instructions (CI always sets it; by hand, start the peers or filter out S3).
/// </summary>
public sealed class S3StorageTests : StorageConformance, IAsyncLifetime
{
    private static readonly Lazy<Task<string>> SharedBucket = new(() => S3TestEnv.CreateBucketAsync("conf"));
    private readonly string _prefix = $"t-{Guid.NewGuid():N}/";
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await S3TestEnv.RequireSharedBucketAsync(SharedBucket);

    public Task DisposeAsync() => Task.CompletedTask;

    protected override IStorage CreateStorage() => new S3Storage(S3TestEnv.Options(_bucket, _prefix));

    private S3Storage CreateS3(Func<S3Options, S3Options>? tweak = null)
    {
        var options = S3TestEnv.Options(_bucket, _prefix);
        return new S3Storage(tweak is null ? options : tweak(options));
    }

    [S3Fact]
    public async Task Large_objects_go_up_in_parts_and_come_back_identical()
    {
        await using var s = CreateS3(o => o with { MultipartThreshold = 6 << 20, PartSize = 5 << 20 });
        var data = new byte[(13 << 20) + 12345];
        new Random(7).NextBytes(data);
        await s.PutAsync("packs/mp/big", data, default);
        Assert.Equal(data, await s.GetAsync("packs/mp/big", default));
        Assert.Equal(data.Length, (await s.HeadAsync("packs/mp/big", default))!.Size);
        byte[] mid = await s.GetRangeAsync("packs/mp/big", (5 << 20) - 10, 20, default); // across a part boundary
        Assert.Equal(data.AsSpan((5 << 20) - 10, 20).ToArray(), mid);
        using var client = S3TestEnv.Client();
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = _prefix });
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    [S3Fact]
    public async Task A_failed_multipart_upload_is_aborted()
    {
        // Cancel while the parts are in flight: the upload must be aborted, not left behind.
        await using var s = CreateS3(o => o with { MultipartThreshold = 6 << 20, PartSize = 5 << 20, PartConcurrency = 1 });
        var data = new byte[40 << 20];
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s.PutAsync("packs/mp/cancelled", data, cts.Token));
        using var client = S3TestEnv.Client();
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = _prefix });
        Assert.Empty(uploads.MultipartUploads ?? []);
        Assert.Null(await s.HeadAsync("packs/mp/cancelled", default));
    }

    [S3Fact]
    public async Task Prefixes_isolate_repositories_in_one_bucket()
    {
        await using var a = CreateS3();
        await using var b = new S3Storage(S3TestEnv.Options(_bucket, _prefix + "other"));
        await a.PutAsync("config", new byte[] { 1 }, default);
        await b.PutAsync("config", new byte[] { 2 }, default);
        Assert.Equal([1], await a.GetAsync("config", default));
        Assert.Equal([2], await b.GetAsync("config", default));
        var keys = new List<string>();
        await foreach (var o in b.ListAsync("", default)) keys.Add(o.Key);
        Assert.Equal(["config"], keys);
    }

    [S3Fact]
    public async Task Wrong_credentials_are_a_storage_error_that_names_no_secret()
    {
        await using var s = new S3Storage(S3TestEnv.Options(_bucket, _prefix, "NOSUCHKEY", "very-secret-value") with { MaxErrorRetry = 0 });
        var e = await Assert.ThrowsAsync<StorageException>(() => s.PutAsync("config", new byte[] { 1 }, default));
        Assert.IsNotType<ObjectNotFoundException>(e);
        Assert.DoesNotContain("very-secret-value", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", s.Location, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task Unreachable_endpoint_is_a_storage_error()
    {
        var options = S3TestEnv.Options(_bucket, _prefix) with { Endpoint = new Uri("http://127.0.0.1:9"), MaxErrorRetry = 1 };
        await using var s = new S3Storage(options);
        await Assert.ThrowsAsync<StorageException>(() => s.GetAsync("config", default));
    }

    [S3Fact]
    public async Task Objects_written_are_listed_and_downloaded_identically_by_awscli()
    {
        await using var s = CreateS3();
        var data = RandomNumberGenerator.GetBytes((2 << 20) + 3);
        string id = Convert.ToHexStringLower(SHA256.HashData(data));
        string key = $"packs/{id[..2]}/{id}";
        await s.PutAsync(key, data, default);

        var list = S3Proc.Ok(S3TestEnv.Aws("s3api", "list-objects-v2", "--bucket", _bucket, "--prefix", _prefix + "packs/", "--output", "json"), "aws list-objects-v2");
        var contents = System.Text.Json.JsonDocument.Parse(list.Stdout).RootElement.GetProperty("Contents");
        var entry = Assert.Single(contents.EnumerateArray());
        Assert.Equal(_prefix + key, entry.GetProperty("Key").GetString());
        Assert.Equal(data.Length, entry.GetProperty("Size").GetInt64());

        string file = Path.Combine(Path.GetTempPath(), $"offsite-aws-{Guid.NewGuid():N}");
        try
        {
            S3Proc.Ok(S3TestEnv.Aws("s3api", "get-object", "--bucket", _bucket, "--key", _prefix + key, file), "aws get-object");
            Assert.Equal(data, await File.ReadAllBytesAsync(file));
            // And the other way: an object awscli wrote is read back by S3Storage.
            S3Proc.Ok(S3TestEnv.Aws("s3api", "put-object", "--bucket", _bucket, "--key", _prefix + "index/from-aws", "--body", file), "aws put-object");
            Assert.Equal(data, await s.GetAsync("index/from-aws", default));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
