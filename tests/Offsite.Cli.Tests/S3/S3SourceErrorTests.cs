using System.Net;
using System.Net.Sockets;
using Amazon.S3;
using Amazon.S3.Model;

namespace Offsite.Cli.Tests.S3;

/// <summary>
/// A bucket source that cannot be read fails with one line naming the source (and the job) and its
/// cause, exit 9, and no snapshot; a restore target that cannot be written fails with exit 10 or 6.
/// Against the RGW peer, through the real binary.
/// </summary>
public sealed class S3SourceErrorTests : IAsyncLifetime
{
    private const string WrongSecret = "not-the-secret-0123456789";
    private readonly Sandbox _box = new();
    private readonly AmazonS3Client _client = S3Peer.EndpointOrNull is null ? null! : S3Peer.Client();
    private string _bucket = "";

    public async Task InitializeAsync()
    {
        if (S3Peer.EndpointOrNull is null) return;
        _bucket = await S3Peer.CreateBucketAsync(_client, "err");
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = "k/one.txt", ContentBody = "one\n", UseChunkEncoding = false });
    }

    public async Task DisposeAsync()
    {
        if (_bucket.Length > 0) await S3Peer.DeleteBucketAsync(_client, _bucket);
        _client?.Dispose();
        _box.Dispose();
    }

    private ProcResult Run(int exit, Dictionary<string, string?> env, params string[] args)
    {
        env["OFFSITE_SOURCE_S3_RETRIES"] = "1";
        return Sandbox.Expect(exit, _box.RunWith(env, null, args), args);
    }

    private static Dictionary<string, string?> WithSecret(string secret)
    {
        var env = S3Peer.SourceEnv();
        env["OFFSITE_SOURCE_S3_SECRET_ACCESS_KEY"] = secret;
        return env;
    }

    private void AssertNoSnapshot() => Assert.Empty(_box.Ok("--json", "snapshots").Json().AsArray());

    private static void AssertOneLine(ProcResult r, string expected)
    {
        string line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongSecret, r.Stderr + r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(S3Peer.SecretKey, r.Stderr + r.Stdout, StringComparison.Ordinal);
    }

    [S3PeerFact]
    public void An_unreachable_endpoint_fails_the_backup_with_exit_9_and_no_snapshot()
    {
        int port = ClosedPort();
        var r = Run(9, S3Peer.SourceEnv(), "backup", $"s3:http://127.0.0.1:{port}/{_bucket}");
        AssertOneLine(r, $"offsite: s3 source s3:http://127.0.0.1:{port}/{_bucket}: cannot reach http://127.0.0.1:{port}");
        AssertNoSnapshot();
    }

    [S3PeerFact]
    public void Wrong_credentials_fail_the_backup_with_exit_9_and_never_show_the_secret()
    {
        var r = Run(9, WithSecret(WrongSecret), "backup", $"s3:{S3Peer.Endpoint}/{_bucket}");
        AssertOneLine(r, $"offsite: s3 source s3:{S3Peer.Endpoint}/{_bucket}: the credentials were refused (HTTP 403 SignatureDoesNotMatch)");
        AssertNoSnapshot();
    }

    [S3PeerFact]
    public void A_missing_bucket_fails_the_backup_with_exit_9()
    {
        string missing = S3Peer.UniqueBucket("none");
        var r = Run(9, S3Peer.SourceEnv(), "backup", $"s3:{S3Peer.Endpoint}/{missing}/some/prefix");
        AssertOneLine(r, $"offsite: s3 source s3:{S3Peer.Endpoint}/{missing}/some/prefix: bucket '{missing}' does not exist (HTTP 404 NoSuchBucket)");
        AssertNoSnapshot();
    }

    [S3PeerFact]
    public void Half_given_credentials_and_bad_urls_are_usage_errors()
    {
        var env = S3Peer.SourceEnv();
        env["OFFSITE_SOURCE_S3_SECRET_ACCESS_KEY"] = null;
        AssertOneLine(Run(2, env, "backup", $"s3:{S3Peer.Endpoint}/{_bucket}"), "s3 source: give both an access key id and a secret access key");
        AssertOneLine(Run(2, S3Peer.SourceEnv(), "backup", $"s3:{S3Peer.Endpoint}/Not_A_Bucket"), "is not a valid bucket name");
        AssertOneLine(Run(2, S3Peer.SourceEnv(), "backup", $"s3:{S3Peer.Endpoint}/{_bucket}", "/etc"), "a bucket (s3:…) is backed up on its own");
        AssertNoSnapshot();
    }

    [S3PeerFact]
    public void A_config_job_names_itself_and_the_source_and_writes_no_snapshot()
    {
        string secretFile = _box.Path("secret");
        File.WriteAllText(secretFile, WrongSecret + "\n");
        string config = _box.Path("offsite.yaml");
        File.WriteAllText(config, $$"""
            repositories:
              main: {location: {{_box.Repo}}, password: "{{Sandbox.Password}}"}
            jobs:
              bucket:
                source: {type: s3, url: "s3:{{S3Peer.Endpoint}}/{{_bucket}}", access_key_id: {{S3Peer.AccessKey}}, secret_access_key_file: {{secretFile}}}
            """);
        _box.Ok("--config", config, "config", "check");
        var show = _box.Ok("--config", config, "config", "show");
        Assert.DoesNotContain(WrongSecret, show.Stdout, StringComparison.Ordinal);
        var r = Run(9, S3Peer.SourceEnv(), "--config", config, "run", "bucket");
        AssertOneLine(r, $"job bucket failed: s3 source s3:{S3Peer.Endpoint}/{_bucket}: the credentials were refused (HTTP 403 SignatureDoesNotMatch)");
        AssertNoSnapshot();

        File.WriteAllText(secretFile, S3Peer.SecretKey + "\n");
        Run(0, new Dictionary<string, string?> { ["OFFSITE_SOURCE_S3_ACCESS_KEY_ID"] = null, ["OFFSITE_SOURCE_S3_SECRET_ACCESS_KEY"] = null }, "--config", config, "run", "bucket");
        var snapshot = Assert.Single(_box.Ok("--json", "snapshots").Json().AsArray());
        Assert.Equal($"s3:{S3Peer.Endpoint}/{_bucket}", snapshot!["source"]!.GetValue<string>());
        Assert.Contains("job:bucket", snapshot["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [S3PeerFact]
    public void Restore_target_errors_are_exit_10_for_a_missing_bucket_and_6_for_refused_credentials()
    {
        Run(0, S3Peer.SourceEnv(), "backup", $"s3:{S3Peer.Endpoint}/{_bucket}");
        string missing = S3Peer.UniqueBucket("none");
        AssertOneLine(Run(10, S3Peer.SourceEnv(), "restore", "latest", "--to", $"s3:{S3Peer.Endpoint}/{missing}"),
            $"offsite: restore target s3:{S3Peer.Endpoint}/{missing}: bucket '{missing}' does not exist (HTTP 404 NoSuchBucket)");
        AssertOneLine(Run(6, WithSecret(WrongSecret), "restore", "latest", "--to", $"s3:{S3Peer.Endpoint}/{_bucket}/copy"),
            $"offsite: restore target s3:{S3Peer.Endpoint}/{_bucket}/copy: the credentials were refused (HTTP 403 SignatureDoesNotMatch)");
        int port = ClosedPort();
        AssertOneLine(Run(6, S3Peer.SourceEnv(), "restore", "latest", "--to", $"s3:http://127.0.0.1:{port}/{_bucket}"),
            $"offsite: restore target s3:http://127.0.0.1:{port}/{_bucket}: cannot reach http://127.0.0.1:{port}");
        AssertOneLine(Run(2, S3Peer.SourceEnv(), "restore", "latest", "--target", _box.Path("x"), "--only-missing"), "--only-missing applies to a restore into a bucket");
        AssertOneLine(Run(2, S3Peer.SourceEnv(), "restore", "latest", "--to", $"s3:{S3Peer.Endpoint}/{_bucket}/copy", "--overwrite", "if-changed"),
            "--overwrite if-changed applies to a directory target; a bucket or a Docker volume takes always or never");
    }

    /// <summary>A local port nothing listens on (bound, then released).</summary>
    private static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
