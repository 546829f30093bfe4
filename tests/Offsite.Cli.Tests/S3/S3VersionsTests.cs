using Amazon.S3;
using Amazon.S3.Model;

namespace Offsite.Cli.Tests.S3;

/// <summary>A versioned bucket: current versions only by default, noncurrent ones with `versions: all`, through a config job and its restore target.</summary>
public sealed class S3VersionsTests : IAsyncLifetime
{
    private readonly Sandbox _box = new();
    private readonly AmazonS3Client _client = S3Peer.EndpointOrNull is null ? null! : S3Peer.Client();
    private readonly List<string> _buckets = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (string b in _buckets) await S3Peer.DeleteBucketAsync(_client, b);
        _client?.Dispose();
        _box.Dispose();
    }

    private async Task PutAsync(string bucket, string key, string body) =>
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = body, UseChunkEncoding = false });

    [S3PeerFact]
    public async Task Noncurrent_versions_are_kept_with_versions_all_and_a_restore_uploads_the_current_ones()
    {
        string source = await S3Peer.CreateBucketAsync(_client, "ver", versioned: true);
        _buckets.Add(source);
        string target = await S3Peer.CreateBucketAsync(_client, "vdst");
        _buckets.Add(target);
        await PutAsync(source, "doc/report.txt", "v1\n");
        await PutAsync(source, "doc/report.txt", "v2\n");
        await PutAsync(source, "doc/report.txt", "v3\n");
        await PutAsync(source, "gone.txt", "deleted later\n");
        await _client.DeleteObjectAsync(source, "gone.txt"); // a delete marker on top
        var versions = (await _client.ListVersionsAsync(new ListVersionsRequest { BucketName = source })).Versions.Where(v => v.IsDeleteMarker != true).ToList();
        Assert.Equal(4, versions.Count);

        // Default: what a GET returns, nothing else.
        var current = _box.RunWith(S3Peer.SourceEnv(), null, "--json", "backup", $"s3:{S3Peer.Endpoint}/{source}");
        Assert.True(current.ExitCode == 0, current.ToString());
        Assert.Equal(1, current.Json()["files"]!.GetValue<long>());

        string config = _box.Path("offsite.yaml");
        File.WriteAllText(config, $$"""
            repositories:
              main: {location: {{_box.Repo}}, password: "{{Sandbox.Password}}"}
            jobs:
              bucket:
                source: {type: s3, url: "s3:{{S3Peer.Endpoint}}/{{source}}", versions: all, access_key_id: {{S3Peer.AccessKey}}, secret_access_key: "${SRC_SECRET}"}
                restore: {type: s3, url: "s3:{{S3Peer.Endpoint}}/{{target}}/copy", access_key_id: {{S3Peer.AccessKey}}, secret_access_key: "${SRC_SECRET}"}
            """);
        _box.Env["SRC_SECRET"] = S3Peer.SecretKey; // the job's keys come from its config, not OFFSITE_SOURCE_S3_*
        var env = new Dictionary<string, string?> { ["OFFSITE_SOURCE_S3_ACCESS_KEY_ID"] = null, ["OFFSITE_SOURCE_S3_SECRET_ACCESS_KEY"] = null };
        var run = _box.RunWith(env, null, "--config", config, "run", "bucket");
        Assert.True(run.ExitCode == 0, run.ToString());

        // Every version is a file: the current one under its name, the others as %name%vID (docs/sources/s3.md).
        var ls = _box.Ok("--config", config, "--job", "bucket", "ls", "-R", "latest").Stdout;
        Assert.Contains("/doc/report.txt", ls, StringComparison.Ordinal);
        foreach (var v in versions.Where(v => v.IsLatest != true))
        {
            string name = v.Key == "gone.txt" ? "/%gone.txt%v" + v.VersionId : "/doc/%report.txt%v" + v.VersionId;
            Assert.Contains(name, ls, StringComparison.Ordinal);
        }
        string dir = _box.Path("dir");
        _box.Ok("--config", config, "--job", "bucket", "restore", "latest", "--target", dir);
        Assert.Equal("v3\n", File.ReadAllText(Path.Combine(dir, "doc", "report.txt")));
        var old = Directory.GetFiles(Path.Combine(dir, "doc"), "%report.txt%v*").Select(File.ReadAllText).Order().ToList();
        Assert.Equal(["v1\n", "v2\n"], old);
        Assert.Equal("deleted later\n", File.ReadAllText(Assert.Single(Directory.GetFiles(dir, "%gone.txt%v*"))));

        // The job's restore target gets the current objects only, and says how many versions it left out.
        var restore = _box.RunWith(env, null, "--config", config, "--job", "bucket", "--json", "restore", "latest");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(1, restore.Json()["uploaded"]!.GetValue<long>());
        Assert.Equal(3, restore.Json()["noncurrentLeftOut"]!.GetValue<long>());
        var copied = await S3Peer.ListAsync(_client, target);
        Assert.Equal("copy/doc/report.txt", Assert.Single(copied).Key);
        using var body = await _client.GetObjectAsync(target, "copy/doc/report.txt");
        Assert.Equal("v3\n", await new StreamReader(body.ResponseStream).ReadToEndAsync());
    }
}
