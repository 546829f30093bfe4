using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Offsite.App.Config;
using Offsite.App.Sources;
using Offsite.App.Sources.Http;
using Offsite.Core.Errors;
using Offsite.Core.Sources;

namespace Offsite.Sources.Tests.Http;

/// <summary>
/// The vault, consul and nomad sources against <see cref="FakeHashiCorpServer"/>: the calls they make,
/// the token chain, TLS, and every way a snapshot request can fail (each a SourceFailed error naming
/// the source, never showing a token).
/// </summary>
public sealed class ServiceSourceTests : IAsyncLifetime
{
    private static readonly byte[] SnapshotBytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 123);
    private readonly FakeHashiCorpServer _server = new(SnapshotBytes);
    private readonly string _dir = Directory.CreateTempSubdirectory("offsite-http-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static SourceContext Env(params (string Name, string Value)[] vars) =>
        new([], name => vars.FirstOrDefault(v => v.Name == name).Value);

    private string SecretFile(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content + "\n");
        return path;
    }

    /// <summary>Runs the one stream of a source as the backup does: open, read to the end, then the verdict.</summary>
    private static async Task<(IStreamItem Item, byte[] Data)> RunAsync(SourceOptions options, SourceContext context)
    {
        var item = Assert.Single(await options.Plan(context).Streams!.ListAsync(CancellationToken.None));
        await using var stream = await item.OpenAsync(CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.Content.CopyToAsync(copy);
        await stream.CompleteAsync(CancellationToken.None);
        return (item, copy.ToArray());
    }

    private static async Task<OffsiteException> FailsAsync(SourceOptions options, SourceContext context)
    {
        var e = await Assert.ThrowsAsync<OffsiteException>(() => RunAsync(options, context));
        Assert.Equal(ErrorKind.SourceFailed, e.Kind);
        foreach (string secret in new[] { FakeHashiCorpServer.VaultToken, FakeHashiCorpServer.AppRoleSecretId, FakeHashiCorpServer.AppRoleToken, FakeHashiCorpServer.ConsulToken, FakeHashiCorpServer.NomadToken, "wrong-token-xyz" })
        {
            Assert.DoesNotContain(secret, e.Message, StringComparison.Ordinal);
        }
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public async Task Vault_snapshot_streams_with_the_address_and_token_from_the_vault_variables()
    {
        var (item, data) = await RunAsync(new VaultSourceOptions(), Env(("VAULT_ADDR", _server.Address), ("VAULT_TOKEN", FakeHashiCorpServer.VaultToken)));
        Assert.Equal(SnapshotBytes, data);
        Assert.Equal("vault:" + new Uri(_server.Address).Authority, item.SourceName);
        Assert.Equal("vault.snap", item.FileName);
        Assert.Equal(["vault"], item.Tags);
        Assert.Equal(["GET /v1/sys/storage/raft/snapshot"], _server.Requests);
        Assert.Empty(_server.Unexpected);
    }

    [Fact]
    public async Task Consul_takes_its_token_from_a_file_and_nomad_from_a_command()
    {
        var consul = new ConsulSourceOptions { Address = _server.Address, Token = new SecretValue(null, SecretFile("consul-token", FakeHashiCorpServer.ConsulToken), null) };
        Assert.Equal(SnapshotBytes, (await RunAsync(consul, Env())).Data);
        var nomad = new NomadSourceOptions { Token = new SecretValue(null, null, "printf %s " + FakeHashiCorpServer.NomadToken) };
        var (item, data) = await RunAsync(nomad, Env(("NOMAD_ADDR", _server.Address)));
        Assert.Equal(SnapshotBytes, data);
        Assert.Equal("nomad.snap", item.FileName);
        Assert.Equal(["GET /v1/snapshot", "GET /v1/operator/snapshot"], _server.Requests);
        Assert.Empty(_server.Unexpected);
    }

    [Fact]
    public async Task Consul_honours_CONSUL_HTTP_TOKEN_FILE_and_a_scheme_less_CONSUL_HTTP_ADDR()
    {
        string hostPort = new Uri(_server.Address).Authority;
        var (item, data) = await RunAsync(new ConsulSourceOptions(), Env(("CONSUL_HTTP_ADDR", hostPort), ("CONSUL_HTTP_TOKEN_FILE", SecretFile("t", FakeHashiCorpServer.ConsulToken))));
        Assert.Equal(SnapshotBytes, data);
        Assert.Equal("consul:" + hostPort, item.SourceName);
    }

    [Fact]
    public async Task The_token_chain_logs_in_with_an_AppRole_then_reads_the_consul_token_from_vault()
    {
        var consul = new ConsulSourceOptions
        {
            Address = _server.Address,
            TokenFromVault = new VaultTokenSection
            {
                Address = _server.Address,
                Approle = new AppRoleSection { RoleId = FakeHashiCorpServer.AppRoleId, SecretId = new SecretValue(null, SecretFile("secret-id", FakeHashiCorpServer.AppRoleSecretId), null) },
                Role = FakeHashiCorpServer.ConsulRole,
            },
        };
        Assert.Equal(SnapshotBytes, (await RunAsync(consul, Env())).Data);
        Assert.Equal(["POST /v1/auth/approle/login", "GET /v1/consul/creds/" + FakeHashiCorpServer.ConsulRole, "GET /v1/snapshot"], _server.Requests);
        Assert.Empty(_server.Unexpected);
    }

    [Fact]
    public async Task The_nomad_token_comes_from_nomad_creds_with_the_vault_token_from_VAULT_TOKEN()
    {
        var nomad = new NomadSourceOptions { Address = _server.Address, TokenFromVault = new VaultTokenSection { Role = FakeHashiCorpServer.NomadRole } };
        var data = (await RunAsync(nomad, Env(("VAULT_ADDR", _server.Address), ("VAULT_TOKEN", FakeHashiCorpServer.VaultToken)))).Data;
        Assert.Equal(SnapshotBytes, data);
        Assert.Equal(["GET /v1/nomad/creds/" + FakeHashiCorpServer.NomadRole, "GET /v1/operator/snapshot"], _server.Requests);
    }

    [Fact]
    public async Task Vault_logs_in_with_an_AppRole_for_its_own_snapshot()
    {
        var vault = new VaultSourceOptions
        {
            Address = _server.Address,
            Approle = new AppRoleSection { RoleId = FakeHashiCorpServer.AppRoleId, SecretId = new SecretValue(null, SecretFile("sid", FakeHashiCorpServer.AppRoleSecretId), null) },
        };
        // The login goes to the source's own address: VAULT_ADDR names another (unreachable) server.
        Assert.Equal(SnapshotBytes, (await RunAsync(vault, Env(("VAULT_ADDR", "http://127.0.0.1:9")))).Data);
        Assert.Equal(["POST /v1/auth/approle/login", "GET /v1/sys/storage/raft/snapshot"], _server.Requests);
    }

    [Fact]
    public async Task A_wrong_token_is_a_403_naming_the_source_and_the_server_reason()
    {
        var e = await FailsAsync(new VaultSourceOptions { Address = _server.Address, Token = new SecretValue("wrong-token-xyz", null, null) }, Env());
        Assert.Equal($"vault source vault:{new Uri(_server.Address).Authority}: HTTP 403 Forbidden from GET /v1/sys/storage/raft/snapshot: permission denied (is the token right, and may it do this?)", e.Message);
        var consul = await FailsAsync(new ConsulSourceOptions { Address = _server.Address }, Env());
        Assert.Contains("consul source", consul.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 403 Forbidden from GET /v1/snapshot: Permission denied", consul.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_AppRole_secret_fails_at_the_login_and_never_asks_for_the_snapshot()
    {
        var consul = new ConsulSourceOptions
        {
            Address = _server.Address,
            TokenFromVault = new VaultTokenSection
            {
                Address = _server.Address, Role = FakeHashiCorpServer.ConsulRole,
                Approle = new AppRoleSection { RoleId = FakeHashiCorpServer.AppRoleId, SecretId = new SecretValue("not-the-secret-id", null, null) },
            },
        };
        var e = await FailsAsync(consul, Env());
        Assert.Contains("AppRole login to Vault at", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 400 Bad Request from POST /v1/auth/approle/login: invalid role or secret ID", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret-id", e.Message, StringComparison.Ordinal);
        Assert.Equal(["POST /v1/auth/approle/login"], _server.Requests);
    }

    [Fact]
    public async Task No_leader_is_the_servers_500_with_its_reason()
    {
        _server.NoLeader = true;
        var e = await FailsAsync(new NomadSourceOptions { Address = _server.Address, Token = new SecretValue(FakeHashiCorpServer.NomadToken, null, null) }, Env());
        Assert.Contains("nomad source nomad:", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500 Internal Server Error from GET /v1/operator/snapshot: No cluster leader", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_cut_mid_body_fails_the_source()
    {
        _server.CutAfter = 1024 * 1024 + 17;
        var e = await FailsAsync(new VaultSourceOptions { Address = _server.Address, Token = new SecretValue(FakeHashiCorpServer.VaultToken, null, null) }, Env());
        Assert.Contains("vault source vault:", e.Message, StringComparison.Ordinal);
        Assert.Contains("the connection broke after", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("no snapshot was written", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_line_naming_the_source()
    {
        int port;
        using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        }
        var e = await FailsAsync(new ConsulSourceOptions { Address = $"http://127.0.0.1:{port}" }, Env());
        Assert.Equal($"consul source consul:127.0.0.1:{port} (GET http://127.0.0.1:{port}/v1/snapshot): connection refused (is the service running at this address?)", e.Message);
    }

    [Fact]
    public void Bad_addresses_and_conflicting_token_keys_are_usage_errors()
    {
        var e = Assert.Throws<OffsiteException>(() => new VaultSourceOptions { Address = "ftp://x" }.Plan(Env()));
        Assert.Equal(ErrorKind.Usage, e.Kind);
        e = Assert.Throws<OffsiteException>(() => new VaultSourceOptions { Address = "https://user:pw@vault:8200" }.Plan(Env()));
        Assert.DoesNotContain("pw@", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<OffsiteException>(() => new ConsulSourceOptions { Token = new SecretValue("t", null, null), TokenFromVault = new VaultTokenSection { Role = "r" } }.Plan(Env()));
        Assert.Contains("give one of token, approle and token_from_vault", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<OffsiteException>(() => new NomadSourceOptions { TokenFromVault = new VaultTokenSection() }.Plan(Env(("VAULT_TOKEN", "x"))));
        Assert.Contains("give role", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>TLS: a private CA's server is trusted through the CA file only; skip-verify only when asked.</summary>
public sealed class ServiceSourceTlsTests : IAsyncLifetime
{
    private static readonly byte[] SnapshotBytes = RandomNumberGenerator.GetBytes(200_000);
    private readonly string _dir = Directory.CreateTempSubdirectory("offsite-tls-").FullName;
    private FakeHashiCorpServer _server = null!;
    private FakeHashiCorpServer _mutual = null!;
    private string _caFile = "";
    private string _clientCert = "";
    private string _clientKey = "";

    public Task InitializeAsync()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Offsite Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
        var server = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pfx), null);
        _caFile = Path.Combine(_dir, "ca.pem");
        File.WriteAllText(_caFile, ca.ExportCertificatePem());
        _server = new FakeHashiCorpServer(SnapshotBytes, server);

        // A client certificate from the same CA, as PEM files, for a second server that demands one.
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest("CN=offsite-backup", clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var client = clientRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [5, 6, 7, 8]);
        _clientCert = Path.Combine(_dir, "client.pem");
        _clientKey = Path.Combine(_dir, "client-key.pem");
        File.WriteAllText(_clientCert, client.ExportCertificatePem());
        File.WriteAllText(_clientKey, clientKey.ExportPkcs8PrivateKeyPem());
        _mutual = new FakeHashiCorpServer(SnapshotBytes, X509CertificateLoader.LoadPkcs12(server.Export(X509ContentType.Pfx), null), clientIssuer: ca.Subject);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _mutual.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<byte[]> SnapshotAsync(TlsSection? tls, params (string, string)[] env) => SnapshotFromAsync(_server, tls, env);

    private static async Task<byte[]> SnapshotFromAsync(FakeHashiCorpServer from, TlsSection? tls, params (string, string)[] env)
    {
        var options = new VaultSourceOptions { Address = from.Address, Token = new SecretValue(FakeHashiCorpServer.VaultToken, null, null), Tls = tls };
        var item = Assert.Single(await options.Plan(new SourceContext([], n => env.FirstOrDefault(v => v.Item1 == n).Item2)).Streams!.ListAsync(CancellationToken.None));
        await using var stream = await item.OpenAsync(CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.Content.CopyToAsync(copy);
        await stream.CompleteAsync(CancellationToken.None);
        return copy.ToArray();
    }

    [Fact]
    public async Task The_ca_file_from_config_or_VAULT_CACERT_is_trusted()
    {
        Assert.StartsWith("https://", _server.Address, StringComparison.Ordinal);
        Assert.Equal(SnapshotBytes, await SnapshotAsync(new TlsSection { CaFile = _caFile }));
        Assert.Equal(SnapshotBytes, await SnapshotAsync(null, ("VAULT_CACERT", _caFile)));
    }

    [Fact]
    public async Task Without_the_ca_the_handshake_fails_and_skip_verify_must_be_asked_for()
    {
        var e = await Assert.ThrowsAsync<OffsiteException>(() => SnapshotAsync(null));
        Assert.Equal(ErrorKind.SourceFailed, e.Kind);
        Assert.Contains("TLS handshake failed", e.Message, StringComparison.Ordinal);
        Assert.Equal(SnapshotBytes, await SnapshotAsync(new TlsSection { SkipVerify = true }));
        Assert.Equal(SnapshotBytes, await SnapshotAsync(null, ("VAULT_SKIP_VERIFY", "true")));
    }

    [Fact]
    public async Task A_server_that_demands_a_client_certificate_gets_the_one_from_config_or_VAULT_CLIENT_CERT()
    {
        var e = await Assert.ThrowsAsync<OffsiteException>(() => SnapshotFromAsync(_mutual, new TlsSection { CaFile = _caFile }));
        Assert.Equal(ErrorKind.SourceFailed, e.Kind);
        Assert.Equal(SnapshotBytes, await SnapshotFromAsync(_mutual, new TlsSection { CaFile = _caFile, ClientCert = _clientCert, ClientKey = _clientKey }));
        Assert.Equal(SnapshotBytes, await SnapshotFromAsync(_mutual, null, ("VAULT_CACERT", _caFile), ("VAULT_CLIENT_CERT", _clientCert), ("VAULT_CLIENT_KEY", _clientKey)));
    }
}
