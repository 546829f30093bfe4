using Offsite.App.Config;
using Offsite.App.Restore.Http;
using Offsite.App.Sources;
using Offsite.App.Sources.Http;
using Offsite.Sources.Http;

namespace Offsite.App.Tests;

/// <summary>The vault/consul/nomad/etcd/http types in the config file: what binds, what is refused, and the defaults from the environment.</summary>
public sealed class HttpConfigTests
{
    private static OffsiteConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "t.yaml", _ => null);

    private static IReadOnlyList<string> Errors(string yaml) =>
        Assert.Throws<ConfigException>(() => Parse(yaml)).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void The_token_chain_and_tls_bind_into_typed_sections()
    {
        var config = Parse("""
            repositories: {r: {location: /x}}
            jobs:
              consul:
                source:
                  type: consul
                  address: consul.internal:8500
                  token_from_vault:
                    address: https://vault:8200
                    approle: {role_id: rid, secret_id_file: /run/secrets/sid}
                    role: backup
                  tls: {ca_file: /ca.pem, skip_verify: false}
                restore: {type: vault, address: "https://vault:8200", token_command: [cat, /t], force: true}
            """);
        var job = config.Jobs["consul"];
        var source = Assert.IsType<ConsulSourceOptions>(job.Source);
        Assert.Equal("rid", source.TokenFromVault!.Approle!.RoleId);
        Assert.Equal("/run/secrets/sid", source.TokenFromVault.Approle.SecretId!.File);
        Assert.Equal("/ca.pem", source.Tls!.CaFile);
        var target = Assert.IsType<VaultTargetOptions>(job.Restore);
        Assert.True(target.Force);
        Assert.Equal("'cat' '/t'", target.Token!.Command);

        var plan = source.Plan(new SourceContext([], _ => null));
        var request = Assert.IsType<HttpStreamSource>(plan.Streams).Request;
        Assert.Equal("http://consul.internal:8500/v1/snapshot", request.Url.ToString());
        Assert.Equal(["X-Consul-Token"], request.Headers.Select(h => h.Name));
        Assert.Equal("consul:consul.internal:8500", request.SourceName);
        var forced = Assert.IsType<HttpServiceTarget>(target.Create(new SourceContext([], _ => null))).Request;
        Assert.Equal("https://vault:8200/v1/sys/storage/raft/snapshot-force", forced.Url.ToString());
        Assert.Equal(HttpMethod.Post, forced.Method);
    }

    [Fact]
    public void Unknown_keys_are_refused_with_the_allowed_ones()
    {
        var errors = Errors("""
            repositories: {r: {location: /x}}
            jobs:
              v: {source: {type: vault, approle: {role: x, secret_id: y}}}
            """);
        Assert.Contains("t.yaml:3:39: jobs.v.source.approle.role: unknown key (allowed: role_id, secret_id, secret_id_file, secret_id_command, mount)", errors);
        Assert.Contains(errors, e => e.Contains("jobs.v.source.approle.role_id: missing (this key is required)", StringComparison.Ordinal));
    }

    [Fact]
    public void Addresses_tls_and_tokens_default_to_the_service_clis_variables()
    {
        var env = new Dictionary<string, string>
        {
            ["NOMAD_ADDR"] = "https://nomad.internal:4646", ["NOMAD_TOKEN"] = "t", ["NOMAD_CACERT"] = "/nomad-ca.pem", ["NOMAD_SKIP_VERIFY"] = "false",
            ["ETCDCTL_ENDPOINTS"] = "https://10.0.0.5:2379,https://10.0.0.6:2379", ["ETCDCTL_INSECURE_SKIP_TLS_VERIFY"] = "true",
            ["CONSUL_HTTP_ADDR"] = "10.0.0.7:8501", ["CONSUL_HTTP_SSL"] = "true", ["CONSUL_HTTP_SSL_VERIFY"] = "false",
        };
        var context = new SourceContext([], n => env.GetValueOrDefault(n));
        var nomad = ((HttpStreamSource)new NomadSourceOptions().Plan(context).Streams!).Request;
        Assert.Equal("https://nomad.internal:4646/v1/operator/snapshot", nomad.Url.ToString());
        Assert.Equal(new HttpTls("/nomad-ca.pem", null, null, false), nomad.Tls);
        var etcd = ((HttpStreamSource)new EtcdSourceOptions().Plan(context).Streams!).Request;
        Assert.Equal("https://10.0.0.5:2379/v3/maintenance/snapshot", etcd.Url.ToString());
        Assert.True(etcd.Tls.SkipVerify);
        Assert.Equal("{}", etcd.Body);
        var consul = ((HttpStreamSource)new ConsulSourceOptions().Plan(context).Streams!).Request;
        Assert.Equal("https://10.0.0.7:8501/v1/snapshot", consul.Url.ToString());
        Assert.True(consul.Tls.SkipVerify);
        Assert.Empty(consul.Headers); // no token anywhere: the server's 403 will say so
        var vault = ((HttpStreamSource)new VaultSourceOptions().Plan(new SourceContext([], _ => null)).Streams!).Request;
        Assert.Equal("https://127.0.0.1:8200/v1/sys/storage/raft/snapshot", vault.Url.ToString());
        Assert.False(vault.Tls.SkipVerify);
    }
}
