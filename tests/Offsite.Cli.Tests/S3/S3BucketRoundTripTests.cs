using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;

namespace Offsite.Cli.Tests.S3;

/// <summary>
/// `offsite backup s3:…` and `offsite restore --to s3:…` through the real binary against the RGW peer:
/// 3,000 small objects, multipart ones, zero-byte ones and keys that are not file names go into a
/// snapshot and come back into another bucket with their metadata; unchanged objects are not
/// downloaded again (counted on the wire by a proxy).
/// </summary>
public sealed class S3BucketRoundTripTests : IAsyncLifetime
{
    private const int SmallObjects = 3000;
    private const int MiB = 1024 * 1024;
    private readonly Sandbox _box = new();
    private readonly AmazonS3Client _client = S3Peer.EndpointOrNull is null ? null! : S3Peer.Client();
    private readonly List<string> _buckets = [];

    /// <summary>Keys that are not plain paths; each must come back as it was.</summary>
    private static readonly string[] OddKeys =
    [
        "a", "a/b", "a//c", "./x", "..", "trail/", "%pct", "ctl\u0001x", "sp ace+plus~é=&", "emoji/🎉.txt",
        new string('L', 300), "deep/" + new string('é', 200) + "/f", "mid//dle//", "zero-dir/",
    ];

    /// <summary>Multipart objects: (key, size, part size). m1 and m2 are read in ranges (over 8 MiB), m3 in one GET.</summary>
    private static readonly (string Key, int Size, int Part)[] Multipart =
    [
        ("big/m1.bin", 20 * MiB + 17, 5 * MiB), ("big/m2.bin", 9 * MiB + 123, 5 * MiB), ("big/m3.bin", 6 * MiB, 5 * MiB),
    ];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (string bucket in _buckets)
        {
            await S3Peer.DeleteBucketAsync(_client, bucket);
        }
        _client?.Dispose();
        _box.Dispose();
    }

    private async Task<string> BucketAsync(string tag, bool versioned = false)
    {
        string bucket = await S3Peer.CreateBucketAsync(_client, tag, versioned);
        _buckets.Add(bucket);
        return bucket;
    }

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private ProcResult Offsite(int exit, params string[] args)
    {
        var r = Sandbox.Expect(exit, _box.RunWith(S3Peer.SourceEnv(), null, args), args);
        File.AppendAllText("/tmp/s3rt-timing.log", $"{_clock.Elapsed.TotalSeconds:0.0}s offsite {string.Join(' ', args)}\n");
        return r;
    }

    [S3PeerFact]
    public async Task A_bucket_round_trips_into_another_bucket_and_unchanged_objects_are_not_downloaded_again()
    {
        string source = await BucketAsync("src");
        string target = await BucketAsync("dst");
        await FillAsync(source);
        File.AppendAllText("/tmp/s3rt-timing.log", $"{_clock.Elapsed.TotalSeconds:0.0}s filled\n");
        var expected = await S3Peer.ListAsync(_client, source);
        Assert.Equal(SmallObjects + OddKeys.Length + Multipart.Length, expected.Count);

        await using var proxy = new CountingS3Proxy(new Uri(S3Peer.Endpoint));
        string url = $"s3:{proxy.Endpoint}/{source}";
        var first = Offsite(0, "--json", "backup", url).Json();
        Assert.Equal(expected.Count, first["files"]!.GetValue<long>());
        Assert.Equal(0, first["warnings"]!.GetValue<int>());
        // Every object read once, the ranged ones in 5 (m1: 20 MiB / 8 MiB parts → 3) and 2 (m2) GETs; every object HEADed once.
        Assert.Equal(expected.Count - 2 + 3 + 2, proxy.ObjectGets(source));
        Assert.Equal(expected.Count, proxy.Heads(source));

        proxy.Reset();
        var second = Offsite(0, "--json", "backup", url).Json();
        Assert.Equal(0, proxy.ObjectGets(source)); // nothing unchanged is downloaded
        Assert.Equal(expected.Count, proxy.Heads(source));
        Assert.Equal(0, second["addedBytes"]!.GetValue<long>());

        // One object rewritten, one added, one deleted: exactly the two new ones are read.
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = source, Key = "d3/s3/file00003.txt", ContentBody = "rewritten\n", UseChunkEncoding = false });
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = source, Key = "new/one.txt", ContentBody = "new\n", UseChunkEncoding = false });
        await _client.DeleteObjectAsync(source, "d4/s4/file00004.txt");
        proxy.Reset();
        Offsite(0, "backup", url);
        Assert.Equal(2, proxy.ObjectGets(source));
        expected = await S3Peer.ListAsync(_client, source);

        // Restore into another bucket below a prefix: every key, size, ETag (not multipart), byte and header.
        string to = $"s3:{S3Peer.Endpoint}/{target}/restored";
        var restore = Offsite(0, "--json", "restore", "latest", "--to", to).Json();
        Assert.Equal(expected.Count, restore["uploaded"]!.GetValue<long>());
        await AssertSameObjectsAsync(source, "", target, "restored/", expected);
        File.AppendAllText("/tmp/s3rt-timing.log", $"{_clock.Elapsed.TotalSeconds:0.0}s compared\n");

        // Again: refused before anything is written; --only-missing fills in a deleted key; --overwrite replaces.
        var refused = Offsite(2, "restore", "latest", "--to", to);
        Assert.Contains($"restore target s3:{S3Peer.Endpoint}/{target}/restored: {expected.Count} key(s) exist already", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was uploaded", refused.Stderr, StringComparison.Ordinal);
        await _client.DeleteObjectAsync(target, "restored/a/b");
        var onlyMissing = Offsite(0, "--json", "restore", "latest", "--to", to, "--only-missing").Json();
        Assert.Equal(1, onlyMissing["uploaded"]!.GetValue<long>());
        Assert.Equal(expected.Count - 1, onlyMissing["skipped"]!.GetValue<long>());
        Assert.Equal("object a/b\n", await ReadAsync(target, "restored/a/b"));
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = target, Key = "restored/a", ContentBody = "changed", UseChunkEncoding = false });
        Assert.Equal(expected.Count, Offsite(0, "--json", "restore", "latest", "--to", to, "--overwrite").Json()["uploaded"]!.GetValue<long>());
        Assert.Equal("object a\n", await ReadAsync(target, "restored/a"));
        Offsite(2, "restore", "latest", "--to", to, "--overwrite", "--only-missing");

        // The same snapshot into a directory: keys as paths, odd pieces escaped (docs/sources/s3.md).
        string dir = _box.Path("dir");
        Offsite(0, "restore", "latest", "--target", dir);
        Assert.Equal("object a/b\n", File.ReadAllText(Path.Combine(dir, "a", "b")));
        Assert.Equal("object a\n", File.ReadAllText(Path.Combine(dir, "%a%")));
        Assert.Equal("object a//c\n", File.ReadAllText(Path.Combine(dir, "a", "%", "c")));
        Assert.Equal("object ./x\n", File.ReadAllText(Path.Combine(dir, "%.", "x")));
        Assert.Equal("object ..\n", File.ReadAllText(Path.Combine(dir, "%..")));
        Assert.Equal("object trail/\n", File.ReadAllText(Path.Combine(dir, "trail", "%")));
        Assert.Equal("object ctl\u0001x\n", File.ReadAllText(Path.Combine(dir, "%ctl%01x")));
        Assert.Equal("rewritten\n", File.ReadAllText(Path.Combine(dir, "d3", "s3", "file00003.txt")));
        Assert.Equal(0, new FileInfo(Path.Combine(dir, "d0", "s0", "file00000.txt")).Length);
        Assert.Equal(Content("big/m1.bin", 20 * MiB + 17), SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, "big", "m1.bin"))));
    }

    /// <summary>3,000 small objects (every 100th empty, every 50th with headers and user metadata), the odd keys, and multipart ones.</summary>
    private async Task FillAsync(string bucket)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, SmallObjects), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            string key = $"d{i % 10}/s{i % 7}/file{i:D5}.txt";
            var put = new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = i % 100 == 0 ? "" : $"object {i}\n" + new string('x', i % 500), UseChunkEncoding = false };
            if (i % 50 == 1)
            {
                put.ContentType = "text/x-offsite-test";
                put.Headers.CacheControl = "max-age=7";
                put.Headers.ContentDisposition = $"attachment; filename=\"f{i}.txt\"";
                put.Headers.ContentEncoding = "identity";
                put.Metadata.Add("index", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                put.Metadata.Add("owner", "team-a");
            }
            await _client.PutObjectAsync(put, ct);
        });
        foreach (string key in OddKeys)
        {
            try
            {
                await _client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = $"object {key}\n", ContentType = "text/plain", UseChunkEncoding = false });
            }
            catch (AmazonS3Exception e)
            {
                throw new InvalidOperationException($"PUT {key}: {e.StatusCode} {e.ErrorCode} {e.Message}", e);
            }
        }
        foreach (var (key, size, part) in Multipart)
        {
            byte[] data = Bytes(key, size);
            string id = (await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = "application/x-big" })).UploadId;
            var parts = new List<PartETag>();
            for (int offset = 0, n = 1; offset < size; offset += part, n++)
            {
                using var body = new MemoryStream(data, offset, Math.Min(part, size - offset));
                var r = await _client.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = key, UploadId = id, PartNumber = n, InputStream = body, UseChunkEncoding = false });
                parts.Add(new PartETag(n, r.ETag));
            }
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = id, PartETags = parts });
        }
    }

    private static byte[] Bytes(string key, int size)
    {
        var data = new byte[size];
        new Random(key.GetHashCode(StringComparison.Ordinal) ^ size).NextBytes(data);
        return data;
    }

    private static byte[] Content(string key, int size) => SHA256.HashData(Bytes(key, size));

    private async Task AssertSameObjectsAsync(string fromBucket, string fromPrefix, string toBucket, string toPrefix, List<S3Object> expected)
    {
        var restored = (await S3Peer.ListAsync(_client, toBucket, toPrefix)).ToDictionary(o => o.Key[toPrefix.Length..], StringComparer.Ordinal);
        Assert.Equal(expected.Select(o => o.Key[fromPrefix.Length..]).Order(StringComparer.Ordinal), restored.Keys.Order(StringComparer.Ordinal));
        await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (o, ct) =>
        {
            var copy = restored[o.Key[fromPrefix.Length..]];
            Assert.Equal(o.Size, copy.Size);
            bool multipart = o.ETag.Contains('-', StringComparison.Ordinal);
            if (multipart)
            {
                Assert.Equal(await HashAsync(fromBucket, o.Key, ct), await HashAsync(toBucket, copy.Key, ct));
            }
            else
            {
                Assert.Equal(o.ETag, copy.ETag); // the MD5 of the bytes
            }
            var a = await _client.GetObjectMetadataAsync(fromBucket, o.Key, ct);
            var b = await _client.GetObjectMetadataAsync(toBucket, copy.Key, ct);
            Assert.Equal(a.Headers.ContentType, b.Headers.ContentType);
            Assert.Equal(a.Headers.CacheControl, b.Headers.CacheControl);
            Assert.Equal(a.Headers.ContentDisposition, b.Headers.ContentDisposition);
            Assert.Equal(a.Headers.ContentEncoding, b.Headers.ContentEncoding);
            Assert.Equal(a.Metadata.Keys.Order().Select(k => (k, a.Metadata[k])), b.Metadata.Keys.Order().Select(k => (k, b.Metadata[k])));
        });
    }

    private async Task<byte[]> HashAsync(string bucket, string key, CancellationToken ct)
    {
        using var r = await _client.GetObjectAsync(bucket, key, ct);
        return await SHA256.HashDataAsync(r.ResponseStream, ct);
    }

    private async Task<string> ReadAsync(string bucket, string key)
    {
        using var r = await _client.GetObjectAsync(bucket, key);
        using var reader = new StreamReader(r.ResponseStream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
