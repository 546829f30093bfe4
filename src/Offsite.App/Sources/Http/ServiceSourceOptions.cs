using Offsite.App.Config;
using Offsite.Sources.Http;

namespace Offsite.App.Sources.Http;

/// <summary>
/// A service's raft snapshot over its HTTP API, one snapshot per run (source <c>vault:host:port</c>,
/// file <c>vault.snap</c>, tag <c>vault</c>). The keys default to the service CLI's variables.
/// </summary>
public abstract class ServiceSourceOptions : SourceOptions
{
    [Help("the server's address (default: the CLI's variable, e.g. VAULT_ADDR)")]
    public string? Address { get; set; }
    [Help("the token: token_file (usual), token_command or token (default: the CLI's variable)")]
    public SecretValue? Token { get; set; }
    public TlsSection? Tls { get; set; }
    [Help("the snapshot's source name (default SERVICE:host:port)")]
    public string? Name { get; set; }
    [Help("the file name in the snapshot (default SERVICE.snap)")]
    public string? FileName { get; set; }

    protected abstract HttpPreset Preset { get; }

    protected abstract ITokenSource? TokenSource(Func<string, string?> env, string what, Uri address, HttpTls tls);

    public override SourcePlan Plan(SourceContext context)
    {
        string what = $"{Preset.Name} source";
        var address = ServiceConnection.Address(Preset, Address, context.Environment, what);
        var tls = TlsSection.Resolve(Tls, Preset, context.Environment);
        var request = new HttpSnapshotRequest(
            Preset.Name, Name ?? $"{Preset.Name}:{ServiceConnection.HostPort(address)}", FileName ?? Preset.FileName,
            Preset.BackupMethod, new Uri(address, Preset.BackupPath),
            ServiceConnection.Headers(Preset, TokenSource(context.Environment, what, address, tls)), tls);
        return SourcePlan.ForStreams(new HttpStreamSource(request));
    }
}

/// <summary><c>type: vault</c>: <c>GET /v1/sys/storage/raft/snapshot</c> with X-Vault-Token (integrated storage).</summary>
public sealed class VaultSourceOptions : ServiceSourceOptions
{
    [Help("log in with an AppRole (role_id, secret_id_file) instead of a token")]
    public AppRoleSection? Approle { get; set; }

    protected override HttpPreset Preset => HttpPreset.Vault;

    protected override ITokenSource? TokenSource(Func<string, string?> env, string what, Uri address, HttpTls tls) =>
        ServiceConnection.Token(Preset, Token, Approle, null, env, what, new VaultClient(address, tls));
}

/// <summary><c>type: consul</c>: <c>GET /v1/snapshot</c> with X-Consul-Token.</summary>
public sealed class ConsulSourceOptions : ServiceSourceOptions
{
    [Help("get the token from Vault's Consul secrets engine (consul/creds/ROLE) at each run")]
    public VaultTokenSection? TokenFromVault { get; set; }

    protected override HttpPreset Preset => HttpPreset.Consul;

    protected override ITokenSource? TokenSource(Func<string, string?> env, string what, Uri address, HttpTls tls) =>
        ServiceConnection.Token(Preset, Token, null, TokenFromVault, env, what);
}

/// <summary><c>type: nomad</c>: <c>GET /v1/operator/snapshot</c> with X-Nomad-Token.</summary>
public sealed class NomadSourceOptions : ServiceSourceOptions
{
    [Help("get the token from Vault's Nomad secrets engine (nomad/creds/ROLE) at each run")]
    public VaultTokenSection? TokenFromVault { get; set; }

    protected override HttpPreset Preset => HttpPreset.Nomad;

    protected override ITokenSource? TokenSource(Func<string, string?> env, string what, Uri address, HttpTls tls) =>
        ServiceConnection.Token(Preset, Token, null, TokenFromVault, env, what);
}
