using Amazon.S3;
using Amazon.S3.Model;

namespace Offsite.Cli.Tests.S3;

/// <summary>
/// Keys that begin with '/' (the AWS SDK for .NET drops one '/' from their path but signs it) are backed
/// up and restored into a bucket's root as the right objects, beside a key without the slash. The test
/// writes and reads them with presigned URLs whose path it sets itself, not through Offsite's client.
/// </summary>
public sealed class S3LeadingSlashTests : IAsyncLifetime
{
    private readonly Sandbox _box = new();
    private readonly AmazonS3Client _client = S3Peer.EndpointOrNull is null ? null! : S3Peer.Client();
    private readonly HttpClient _http = new();
    private readonly List<string> _buckets = [];

    /// <summary>Key → body; "lead" and "/lead" are different objects.</summary>
    private static readonly Dictionary<string, string> Objects = new(StringComparer.Ordinal)
    {
        ["/lead"] = "with one slash\n", ["lead"] = "without a slash\n", ["//two"] = "two slashes\n", ["/dir/in side%"] = "below a slash\n",
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (string b in _buckets) await S3Peer.DeleteBucketAsync(_client, b);
        _client?.Dispose();
        _http.Dispose();
        _box.Dispose();
    }

    /// <summary>A presigned URL for the key, with the path the signature covers: /bucket/ followed by the whole key.</summary>
    private async Task<Uri> SignedAsync(string bucket, string key, HttpVerb verb)
    {
        string url = await _client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = bucket, Key = key, Verb = verb, Expires = DateTime.UtcNow.AddMinutes(10), Protocol = Protocol.HTTP,
        });
        var uri = new Uri(url);
        string path = uri.AbsolutePath;
        string start = "/" + bucket + "/";
        int slashes = key.TakeWhile(c => c == '/').Count();
        string rest = path[start.Length..].TrimStart('/');
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + start + new string('/', slashes) + rest + uri.Query);
    }

    private async Task PutAsync(string bucket, string key, string body)
    {
        using var r = await _http.PutAsync(await SignedAsync(bucket, key, HttpVerb.PUT), new StringContent(body));
        Assert.True(r.IsSuccessStatusCode, $"PUT {key}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    private async Task<string> GetAsync(string bucket, string key)
    {
        using var r = await _http.GetAsync(await SignedAsync(bucket, key, HttpVerb.GET));
        Assert.True(r.IsSuccessStatusCode, $"GET {key}: {(int)r.StatusCode}");
        return await r.Content.ReadAsStringAsync();
    }

    [S3PeerFact]
    public async Task Keys_that_begin_with_a_slash_are_backed_up_and_restored_as_themselves()
    {
        string source = await S3Peer.CreateBucketAsync(_client, "slash");
        string target = await S3Peer.CreateBucketAsync(_client, "slashdst");
        _buckets.AddRange([source, target]);
        foreach (var (key, body) in Objects) await PutAsync(source, key, body);
        Assert.Equal(Objects.Keys.Order(StringComparer.Ordinal), (await S3Peer.ListAsync(_client, source)).Select(o => o.Key).Order(StringComparer.Ordinal));

        var backup = Sandbox.Expect(0, _box.RunWith(S3Peer.SourceEnv(), null, "--json", "backup", $"s3:{S3Peer.Endpoint}/{source}"), ["backup"]).Json();
        Assert.Equal(Objects.Count, backup["files"]!.GetValue<long>());
        Assert.Equal(0, backup["warnings"]!.GetValue<int>());

        // Into a directory: the empty piece before the first '/' is the directory "%" (docs/sources/s3.md).
        string dir = _box.Path("dir");
        _box.Ok("restore", "latest", "--target", dir);
        Assert.Equal("with one slash\n", File.ReadAllText(Path.Combine(dir, "%", "lead")));
        Assert.Equal("without a slash\n", File.ReadAllText(Path.Combine(dir, "lead")));
        Assert.Equal("two slashes\n", File.ReadAllText(Path.Combine(dir, "%", "%", "two")));
        Assert.Equal("below a slash\n", File.ReadAllText(Path.Combine(dir, "%", "dir", "%in side%25")));

        // Into the root of another bucket: the same keys, each with its own body.
        string to = $"s3:{S3Peer.Endpoint}/{target}";
        var restore = Sandbox.Expect(0, _box.RunWith(S3Peer.SourceEnv(), null, "--json", "restore", "latest", "--to", to), ["restore"]).Json();
        Assert.Equal(Objects.Count, restore["uploaded"]!.GetValue<long>());
        Assert.Equal(Objects.Keys.Order(StringComparer.Ordinal), (await S3Peer.ListAsync(_client, target)).Select(o => o.Key).Order(StringComparer.Ordinal));
        foreach (var (key, body) in Objects) Assert.Equal(body, await GetAsync(target, key));

        // The existence check HEADs the right key too: only the deleted "/lead" is missing.
        await _client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = target, Objects = [new KeyVersion { Key = "/lead" }] });
        var missing = Sandbox.Expect(0, _box.RunWith(S3Peer.SourceEnv(), null, "--json", "restore", "latest", "--to", to, "--only-missing"), ["restore"]).Json();
        Assert.Equal(1, missing["uploaded"]!.GetValue<long>());
        Assert.Equal("with one slash\n", await GetAsync(target, "/lead"));
    }
}
