namespace Offsite.Sources.Http;

/// <summary>
/// What Offsite knows about one service's snapshot API and its CLI's conventions: the snapshot and
/// restore endpoints as the service's API documentation gives them, the token header, and the
/// environment variables its own CLI reads (address, token, CA, client certificate, skip-verify).
/// </summary>
public sealed record HttpPreset
{
    public required string Name { get; init; }
    public required string DefaultAddress { get; init; }
    public required string AddressVariable { get; init; }
    /// <summary>Only the first address of a comma-separated list is used (ETCDCTL_ENDPOINTS).</summary>
    public bool AddressIsList { get; init; }
    public string? TokenVariable { get; init; }
    public string? TokenFileVariable { get; init; }
    public string? TokenHeader { get; init; }
    public required string CaVariable { get; init; }
    public required string ClientCertVariable { get; init; }
    public required string ClientKeyVariable { get; init; }
    public required string SkipVerifyVariable { get; init; }
    /// <summary>CONSUL_HTTP_SSL_VERIFY=false means skip; the others say VAR=true.</summary>
    public bool SkipVerifyVariableIsInverted { get; init; }
    /// <summary>Consul's CONSUL_HTTP_SSL=true makes a scheme-less address https.</summary>
    public string? HttpsVariable { get; init; }
    public required HttpMethod BackupMethod { get; init; }
    public required string BackupPath { get; init; }
    public string? BackupBody { get; init; }
    public HttpMethod? RestoreMethod { get; init; }
    public string? RestorePath { get; init; }
    public required string FileName { get; init; }
    /// <summary>The Vault secrets engine that issues this service's tokens (consul/creds/ROLE) and the field holding the token.</summary>
    public string? VaultCredsMount { get; init; }
    public string? VaultCredsField { get; init; }

    /// <summary>Vault: <c>GET /v1/sys/storage/raft/snapshot</c>; restore <c>POST</c> the same path (or <c>…/snapshot-force</c>).</summary>
    public static HttpPreset Vault { get; } = new()
    {
        Name = "vault", DefaultAddress = "https://127.0.0.1:8200", AddressVariable = "VAULT_ADDR",
        TokenVariable = "VAULT_TOKEN", TokenHeader = VaultClient.TokenHeader,
        CaVariable = "VAULT_CACERT", ClientCertVariable = "VAULT_CLIENT_CERT", ClientKeyVariable = "VAULT_CLIENT_KEY", SkipVerifyVariable = "VAULT_SKIP_VERIFY",
        BackupMethod = HttpMethod.Get, BackupPath = "v1/sys/storage/raft/snapshot",
        RestoreMethod = HttpMethod.Post, RestorePath = "v1/sys/storage/raft/snapshot", FileName = "vault.snap",
    };

    /// <summary>The forced restore: for a snapshot of another cluster (different unseal keys' keyring).</summary>
    public const string VaultForcedRestorePath = "v1/sys/storage/raft/snapshot-force";

    /// <summary>Consul: <c>GET /v1/snapshot</c>; restore <c>PUT /v1/snapshot</c>.</summary>
    public static HttpPreset Consul { get; } = new()
    {
        Name = "consul", DefaultAddress = "http://127.0.0.1:8500", AddressVariable = "CONSUL_HTTP_ADDR",
        TokenVariable = "CONSUL_HTTP_TOKEN", TokenFileVariable = "CONSUL_HTTP_TOKEN_FILE", TokenHeader = "X-Consul-Token",
        CaVariable = "CONSUL_CACERT", ClientCertVariable = "CONSUL_CLIENT_CERT", ClientKeyVariable = "CONSUL_CLIENT_KEY",
        SkipVerifyVariable = "CONSUL_HTTP_SSL_VERIFY", SkipVerifyVariableIsInverted = true, HttpsVariable = "CONSUL_HTTP_SSL",
        BackupMethod = HttpMethod.Get, BackupPath = "v1/snapshot", RestoreMethod = HttpMethod.Put, RestorePath = "v1/snapshot", FileName = "consul.snap",
        VaultCredsMount = "consul", VaultCredsField = "token",
    };

    /// <summary>Nomad: <c>GET /v1/operator/snapshot</c>; restore <c>PUT /v1/operator/snapshot</c>.</summary>
    public static HttpPreset Nomad { get; } = new()
    {
        Name = "nomad", DefaultAddress = "http://127.0.0.1:4646", AddressVariable = "NOMAD_ADDR",
        TokenVariable = "NOMAD_TOKEN", TokenHeader = "X-Nomad-Token",
        CaVariable = "NOMAD_CACERT", ClientCertVariable = "NOMAD_CLIENT_CERT", ClientKeyVariable = "NOMAD_CLIENT_KEY", SkipVerifyVariable = "NOMAD_SKIP_VERIFY",
        BackupMethod = HttpMethod.Get, BackupPath = "v1/operator/snapshot", RestoreMethod = HttpMethod.Put, RestorePath = "v1/operator/snapshot", FileName = "nomad.snap",
        VaultCredsMount = "nomad", VaultCredsField = "secret_id",
    };

    /// <summary>etcd v3 through its gRPC gateway: <c>POST /v3/maintenance/snapshot</c> with <c>{}</c>; no HTTP restore (see <see cref="EtcdSnapshotWriter"/>).</summary>
    public static HttpPreset Etcd { get; } = new()
    {
        Name = "etcd", DefaultAddress = "http://127.0.0.1:2379", AddressVariable = "ETCDCTL_ENDPOINTS", AddressIsList = true,
        CaVariable = "ETCDCTL_CACERT", ClientCertVariable = "ETCDCTL_CERT", ClientKeyVariable = "ETCDCTL_KEY", SkipVerifyVariable = "ETCDCTL_INSECURE_SKIP_TLS_VERIFY",
        BackupMethod = HttpMethod.Post, BackupPath = "v3/maintenance/snapshot", BackupBody = "{}", FileName = "etcd.db",
    };

    public static IReadOnlyList<HttpPreset> All { get; } = [Vault, Consul, Nomad, Etcd];
}
