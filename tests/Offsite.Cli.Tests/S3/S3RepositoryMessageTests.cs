namespace Offsite.Cli.Tests.S3;

/// <summary>
/// What a user sees when an S3 repository cannot be reached, against the real Ceph RGW peer: a missing
/// bucket, https to a plain-HTTP server, a wrong secret key, no credentials at all. Each is one line that
/// names the cause and what to do, never an SDK exception dump or a secret.
/// </summary>
public sealed class S3RepositoryMessageTests : IDisposable
{
    private const string WrongSecret = "wrong-secret-0123456789abcdef";
    private readonly Sandbox _box = new(init: false);
    private readonly string _bucket = S3Peer.UniqueBucket("msg");

    public S3RepositoryMessageTests()
    {
        _box.Env["AWS_ACCESS_KEY_ID"] = S3Peer.AccessKey;
        _box.Env["AWS_SECRET_ACCESS_KEY"] = S3Peer.SecretKey;
        _box.Env["AWS_SESSION_TOKEN"] = null;
        _box.Env["AWS_PROFILE"] = null;
        _box.Env["HOME"] = _box.Dir.Path; // no ~/.aws to fall back on
        _box.Env["OFFSITE_REPOSITORY"] = $"s3:{S3Peer.Endpoint}/{_bucket}/repo";
    }

    private static string OneLine(ProcResult r)
    {
        string line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(S3Peer.SecretKey, r.Stderr + r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongSecret, r.Stderr + r.Stdout, StringComparison.Ordinal);
        return line;
    }

    [S3PeerFact]
    public void Init_before_the_bucket_exists_says_so_and_how_to_create_it()
    {
        string line = OneLine(_box.Expect(8, "init"));
        Assert.Contains($"bucket '{_bucket}' does not exist", line, StringComparison.Ordinal);
        Assert.Contains("offsite bucket setup", line, StringComparison.Ordinal);
        Assert.DoesNotContain("keys/", line, StringComparison.Ordinal);
        line = OneLine(_box.Expect(8, "snapshots"));
        Assert.Contains($"bucket '{_bucket}' does not exist", line, StringComparison.Ordinal);
    }

    [S3PeerFact]
    public void Https_assumed_against_an_http_server_shows_the_cause_and_the_http_form_quickly()
    {
        var endpoint = new Uri(S3Peer.Endpoint);
        Assert.Equal("http", endpoint.Scheme);
        var started = System.Diagnostics.Stopwatch.StartNew();
        string line = OneLine(_box.Expect(6, "-r", $"s3:{endpoint.Authority}/{_bucket}/repo", "snapshots"));
        Assert.Contains($"TLS handshake with https://{endpoint.Authority} failed (", line, StringComparison.Ordinal);
        Assert.Contains("s3:http://", line, StringComparison.Ordinal);
        Assert.DoesNotContain("see inner exception", line, StringComparison.Ordinal);
        // The handshake fails the same way every time: not retried with backoff (that took 80 s).
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"took {started.Elapsed}");
    }

    [S3PeerFact]
    public void A_wrong_secret_key_is_named_as_such()
    {
        var r = _box.RunWith(new Dictionary<string, string?> { ["AWS_SECRET_ACCESS_KEY"] = WrongSecret }, null, "snapshots");
        Sandbox.Expect(6, r, ["snapshots", "(wrong secret)"]);
        string line = OneLine(r);
        Assert.Contains("SignatureDoesNotMatch", line, StringComparison.Ordinal);
        Assert.Contains("the secret access key is wrong", line, StringComparison.Ordinal);
        Assert.DoesNotContain("not allowed", line, StringComparison.Ordinal);
    }

    [S3PeerFact]
    public void No_credentials_at_all_is_one_line_and_a_usage_error()
    {
        var r = _box.RunWith(new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = null, ["AWS_SECRET_ACCESS_KEY"] = null }, null, "snapshots");
        Sandbox.Expect(2, r, ["snapshots", "(no credentials)"]);
        string line = OneLine(r);
        Assert.Contains("no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", line, StringComparison.Ordinal);
    }

    public void Dispose() => _box.Dispose();
}
