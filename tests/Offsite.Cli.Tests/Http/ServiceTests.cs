using System.Security.Cryptography;
using Offsite.Sources.Tests.Http;

namespace Offsite.Cli.Tests.Http;

/// <summary>
/// Vault, Consul and Nomad snapshots through the real binary, against <see cref="FakeHashiCorpServer"/>:
/// config jobs (backup and restore), the command-line forms, the token chain, and failures
/// (exit 9, one line naming the job and source, no snapshot, no token in any output).
/// </summary>
public sealed class ServiceTests : IAsyncLifetime
{
    private static readonly byte[] SnapshotBytes = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 7);
    private readonly Sandbox _box = new();
    private readonly FakeHashiCorpServer _server = new(SnapshotBytes);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _box.Dispose();
    }

    private string Secret(string name, string value)
    {
        string path = _box.Path(name);
        File.WriteAllText(path, value + "\n");
        return path;
    }

    private string Config(string jobs)
    {
        string path = _box.Path("offsite.yaml");
        File.WriteAllText(path, $"""
            repositories:
              main: {"{"}location: {_box.Repo}, password: "{Sandbox.Password}"{"}"}
            jobs:
            {jobs}
            """);
        return path;
    }

    private static void NoSecretsIn(ProcResult r)
    {
        foreach (string secret in new[] { FakeHashiCorpServer.VaultToken, FakeHashiCorpServer.AppRoleSecretId, FakeHashiCorpServer.AppRoleToken, FakeHashiCorpServer.ConsulToken, FakeHashiCorpServer.NomadToken })
        {
            Assert.DoesNotContain(secret, r.Stdout + r.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_vault_job_backs_up_the_raft_snapshot_and_restores_it_with_snapshot_force()
    {
        string token = Secret("vault-token", FakeHashiCorpServer.VaultToken);
        string config = Config($$"""
              vault:
                source: {type: vault, address: "{{_server.Address}}", token_file: {{token}}}
                restore: {type: vault, address: "{{_server.Address}}", token_file: {{token}}, force: true}
            """);
        _box.Ok("--config", config, "config", "check");
        NoSecretsIn(_box.Ok("--config", config, "config", "show"));
        var run = _box.Ok("--config", config, "run", "vault");
        NoSecretsIn(run);
        NoSecretsIn(_box.Ok("--json", "snapshots")); // the snapshot's metadata (source, paths, tags, host) holds no token
        var snapshot = Assert.Single(_box.Json("snapshots").AsArray())!;
        Assert.Equal("vault:" + new Uri(_server.Address).Authority, snapshot["source"]!.GetValue<string>());
        Assert.Equal(["job:vault", "vault"], snapshot["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(SnapshotBytes, _box.Ok("dump", "latest", "/vault.snap").StdoutBytes);

        var restore = _box.Ok("--config", config, "--job", "vault", "restore", "latest");
        NoSecretsIn(restore);
        var (service, body) = Assert.Single(_server.Restores);
        Assert.Equal("vault-force", service);
        Assert.Equal(SnapshotBytes, body);
        Assert.Equal(["GET /v1/sys/storage/raft/snapshot", "POST /v1/sys/storage/raft/snapshot-force"], _server.Requests);
        Assert.Empty(_server.Unexpected);
    }

    [Fact]
    public void A_wrong_token_fails_the_job_with_exit_9_naming_job_source_and_cause_and_writes_no_snapshot()
    {
        string config = Config($$"""
              vault:
                source: {type: vault, address: "{{_server.Address}}", token: "hvs.not-the-right-token"}
            """);
        var r = _box.Expect(9, "--config", config, "run", "vault");
        string authority = new Uri(_server.Address).Authority;
        Assert.Contains($"offsite: job vault failed: vault source vault:{authority}: HTTP 403 Forbidden from GET /v1/sys/storage/raft/snapshot: permission denied", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hvs.not-the-right-token", r.Stdout + r.Stderr, StringComparison.Ordinal);
        Assert.Empty(_box.Json("snapshots").AsArray());
    }

    /// <summary>
    /// The issue's bad inputs for cluster sources, each as a job: exactly one line on stderr, naming the job, the
    /// source and the cause, exit 9, no snapshot, and no secret in any output.
    /// </summary>
    [Fact]
    public void Each_bad_input_fails_its_job_with_one_line_naming_job_source_and_cause_exit_9_and_no_snapshot()
    {
        int closed = EtcdPeer.FreePort();
        string authority = new Uri(_server.Address).Authority;
        string wrongSecretId = Secret("wrong-secret-id", "not-the-secret-id");
        string config = Config($$"""
              notfound:
                source: {type: http, url: "{{_server.Address}}/v1/no/such/snapshot", secret_headers: [{name: X-Vault-Token, value: "{{FakeHashiCorpServer.VaultToken}}"}]}
              unreachable:
                source: {type: vault, address: "http://127.0.0.1:{{closed}}", token: "{{FakeHashiCorpServer.VaultToken}}"}
              etcddown:
                source: {type: etcd, address: "http://127.0.0.1:{{closed}}"}
              wrongtoken:
                source: {type: nomad, address: "{{_server.Address}}", token: "nomad-wrong-token"}
              tokencommand:
                source: {type: consul, address: "{{_server.Address}}", token_command: [sh, -c, "exit 3"]}
              tokenfile:
                source: {type: nomad, address: "{{_server.Address}}", token_file: {{_box.Path("no-such-token")}}}
              approle:
                source:
                  type: consul
                  address: "{{_server.Address}}"
                  token_from_vault: {address: "{{_server.Address}}", approle: {role_id: {{FakeHashiCorpServer.AppRoleId}}, secret_id_file: {{wrongSecretId}}}, role: {{FakeHashiCorpServer.ConsulRole}}}
            """);
        var expected = new Dictionary<string, string>
        {
            ["notfound"] = $"http source http:{authority}/v1/no/such/snapshot: HTTP 404",
            ["unreachable"] = $"vault source vault:127.0.0.1:{closed} (GET http://127.0.0.1:{closed}/v1/sys/storage/raft/snapshot): connection refused",
            ["etcddown"] = $"etcd source etcd:127.0.0.1:{closed} (POST http://127.0.0.1:{closed}/v3/maintenance/snapshot): connection refused",
            ["wrongtoken"] = $"nomad source nomad:{authority}: HTTP 403 Forbidden from GET /v1/operator/snapshot",
            ["tokencommand"] = $"consul source consul:{authority}: consul source token command failed with exit code 3",
            ["tokenfile"] = $"nomad source nomad:{authority}: cannot read nomad source token file {_box.Path("no-such-token")}",
            ["approle"] = $"consul source consul:{authority}: AppRole login to Vault at {_server.Address}",
        };
        foreach (var (job, cause) in expected)
        {
            var r = _box.Expect(9, "--config", config, "run", job);
            string line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"offsite: job {job} failed: {cause}", line, StringComparison.Ordinal);
            NoSecretsIn(r);
            Assert.DoesNotContain("not-the-secret-id", r.Stdout + r.Stderr, StringComparison.Ordinal);
        }
        Assert.Empty(_box.Json("snapshots").AsArray());
        Assert.Empty(_box.PackFiles());
    }

    [Fact]
    public void No_leader_and_a_cut_connection_fail_with_exit_9_and_no_snapshot()
    {
        var env = new Dictionary<string, string?> { ["CONSUL_HTTP_ADDR"] = _server.Address, ["CONSUL_HTTP_TOKEN"] = FakeHashiCorpServer.ConsulToken };
        _server.NoLeader = true;
        var r = Sandbox.Expect(9, _box.RunWith(env, null, "backup", "consul:"), ["backup", "consul:"]);
        Assert.Contains("consul source consul:", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("HTTP 500 Internal Server Error from GET /v1/snapshot: No cluster leader", r.Stderr, StringComparison.Ordinal);
        _server.NoLeader = false;
        _server.CutAfter = 2 * 1024 * 1024;
        r = Sandbox.Expect(9, _box.RunWith(env, null, "backup", "consul:"), ["backup", "consul:"]);
        Assert.Contains("the connection broke after", r.Stderr, StringComparison.Ordinal);
        NoSecretsIn(r);
        Assert.Empty(_box.Json("snapshots").AsArray());
        Assert.Empty(_box.PackFiles());
    }

    [Fact]
    public void The_command_line_backs_up_consul_and_restores_it_to_consul_but_not_to_nomad()
    {
        var env = new Dictionary<string, string?> { ["CONSUL_HTTP_TOKEN"] = FakeHashiCorpServer.ConsulToken, ["NOMAD_TOKEN"] = FakeHashiCorpServer.NomadToken };
        string consul = "consul:" + _server.Address;
        Sandbox.Expect(0, _box.RunWith(env, null, "backup", consul), ["backup", consul]);
        var wrongKind = Sandbox.Expect(2, _box.RunWith(env, null, "restore", "latest", "--to", "nomad:" + _server.Address), ["restore"]);
        Assert.Contains("is a consul snapshot; it cannot be restored to nomad at", wrongKind.Stderr, StringComparison.Ordinal);
        var ok = Sandbox.Expect(0, _box.RunWith(env, null, "restore", "latest", "--to", consul), ["restore"]);
        Assert.Contains("(HTTP 200)", ok.Stdout, StringComparison.Ordinal);
        var (service, body) = Assert.Single(_server.Restores);
        Assert.Equal("consul", service);
        Assert.Equal(SnapshotBytes, body);
        Assert.Equal(["GET /v1/snapshot", "PUT /v1/snapshot"], _server.Requests);
    }

    [Fact]
    public void A_consul_job_gets_its_token_through_an_approle_login_and_consul_creds()
    {
        string secretId = Secret("secret-id", FakeHashiCorpServer.AppRoleSecretId);
        string config = Config($$"""
              consul:
                source:
                  type: consul
                  address: "{{_server.Address}}"
                  token_from_vault:
                    address: "{{_server.Address}}"
                    approle: {role_id: {{FakeHashiCorpServer.AppRoleId}}, secret_id_file: {{secretId}}}
                    role: {{FakeHashiCorpServer.ConsulRole}}
                restore:
                  type: nomad
                  address: "{{_server.Address}}"
                  token_from_vault: {address: "{{_server.Address}}", token: "{{FakeHashiCorpServer.VaultToken}}", role: {{FakeHashiCorpServer.NomadRole}}}
            """);
        var run = _box.Ok("--config", config, "run", "consul");
        NoSecretsIn(run);
        Assert.Equal(["POST /v1/auth/approle/login", "GET /v1/consul/creds/" + FakeHashiCorpServer.ConsulRole, "GET /v1/snapshot"], _server.Requests);
        Assert.Equal(SnapshotBytes, _box.Ok("dump", "latest", "/consul.snap").StdoutBytes);
        // The declared target is Nomad: a Consul snapshot is refused before any request.
        var refused = _box.Expect(2, "--config", config, "--job", "consul", "restore", "latest");
        Assert.Contains("is a consul snapshot", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, _server.Requests.Count);
        Assert.Empty(_server.Unexpected);
    }

    [Fact]
    public void A_nomad_restore_with_a_wrong_token_fails_with_exit_9_and_with_the_right_one_puts_the_snapshot()
    {
        var env = new Dictionary<string, string?> { ["NOMAD_ADDR"] = _server.Address, ["NOMAD_TOKEN"] = FakeHashiCorpServer.NomadToken };
        Sandbox.Expect(0, _box.RunWith(env, null, "backup", "nomad:"), ["backup"]);
        env["NOMAD_TOKEN"] = "nomad-wrong-token";
        var r = Sandbox.Expect(9, _box.RunWith(env, null, "restore", "latest", "--to", "nomad:"), ["restore"]);
        Assert.Contains("nomad restore target nomad:", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("HTTP 403 Forbidden from PUT /v1/operator/snapshot: Permission denied", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("nomad-wrong-token", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(_server.Restores);

        // With the right token the same restore goes through: PUT /v1/operator/snapshot with the snapshot's bytes.
        env["NOMAD_TOKEN"] = FakeHashiCorpServer.NomadToken;
        NoSecretsIn(Sandbox.Expect(0, _box.RunWith(env, null, "restore", "latest", "--to", "nomad:"), ["restore"]));
        var (service, body) = Assert.Single(_server.Restores);
        Assert.Equal("nomad", service);
        Assert.Equal(SnapshotBytes, body);
        // Nothing of the token is kept with the snapshot: its metadata as listed holds no secret.
        NoSecretsIn(_box.Ok("--json", "snapshots"));
    }

    [Fact]
    public void The_generic_http_type_sends_secret_headers_both_ways()
    {
        string vaultToken = Secret("vault-token", FakeHashiCorpServer.VaultToken);
        string consulToken = Secret("consul-token", FakeHashiCorpServer.ConsulToken);
        string config = Config($$"""
              raw:
                source:
                  type: http
                  url: "{{_server.Address}}/v1/sys/storage/raft/snapshot"
                  secret_headers: [{name: X-Vault-Token, value_file: {{vaultToken}}}]
                  file_name: raft.snap
                restore:
                  type: http
                  url: "{{_server.Address}}/v1/snapshot"
                  secret_headers: [{name: X-Consul-Token, value_file: {{consulToken}}}]
            """);
        NoSecretsIn(_box.Ok("--config", config, "run", "raw"));
        var snapshot = Assert.Single(_box.Json("snapshots").AsArray())!;
        Assert.Equal($"http:{new Uri(_server.Address).Authority}/v1/sys/storage/raft/snapshot", snapshot["source"]!.GetValue<string>());
        Assert.Equal(SnapshotBytes, _box.Ok("dump", "latest", "/raft.snap").StdoutBytes);
        NoSecretsIn(_box.Ok("--config", config, "--job", "raw", "restore", "latest"));
        var (service, body) = Assert.Single(_server.Restores);
        Assert.Equal("consul", service);
        Assert.Equal(SnapshotBytes, body);
        Assert.Empty(_server.Unexpected);
    }

    [Fact]
    public void A_damaged_repository_stops_the_restore_with_exit_4_and_the_server_keeps_nothing()
    {
        var env = new Dictionary<string, string?> { ["VAULT_ADDR"] = _server.Address, ["VAULT_TOKEN"] = FakeHashiCorpServer.VaultToken };
        Sandbox.Expect(0, _box.RunWith(env, null, "backup", "vault:"), ["backup"]);
        string pack = _box.PackFile(_box.LargestPack(_box.PackIds()));
        var bytes = File.ReadAllBytes(pack);
        bytes[bytes.Length / 2] ^= 0x55;
        File.WriteAllBytes(pack, bytes);
        var r = Sandbox.Expect(4, _box.RunWith(env, null, "restore", "latest", "--to", "vault:"), ["restore"]);
        NoSecretsIn(r);
        Assert.Empty(_server.Restores);
    }
}
