using Offsite.App.Config;
using Offsite.App.Sources;
using Offsite.App.Sources.Http;
using Offsite.Core.Errors;
using Offsite.Sources.Http;

namespace Offsite.App.Restore.Http;

/// <summary>A service's restore endpoint: address, token and TLS as for the source of the same type.</summary>
public abstract class ServiceTargetOptions : RestoreTargetOptions
{
    [Help("the server's address (default: the CLI's variable, e.g. VAULT_ADDR)")]
    public string? Address { get; set; }
    [Help("the token: token_file (usual), token_command or token (default: the CLI's variable)")]
    public SecretValue? Token { get; set; }
    public TlsSection? Tls { get; set; }

    protected abstract HttpPreset Preset { get; }

    protected abstract ITokenSource? TokenSource(Func<string, string?> env, string what, Uri address, HttpTls tls);

    protected virtual string RestorePath => Preset.RestorePath!;

    /// <summary>Without the run's environment: only what the config file says (no VAULT_ADDR, …).</summary>
    public override IRestoreTarget Create() => Create(new SourceContext([], _ => null));

    public override IRestoreTarget Create(SourceContext context)
    {
        string what = $"{Preset.Name} restore target";
        var address = ServiceConnection.Address(Preset, Address, context.Environment, what);
        var tls = TlsSection.Resolve(Tls, Preset, context.Environment);
        return new HttpServiceTarget(new HttpSnapshotRequest(
            Preset.Name, $"{Preset.Name}:{ServiceConnection.HostPort(address)}", Preset.FileName,
            Preset.RestoreMethod!, new Uri(address, RestorePath),
            ServiceConnection.Headers(Preset, TokenSource(context.Environment, what, address, tls)), tls));
    }
}

/// <summary><c>type: vault</c>: <c>POST /v1/sys/storage/raft/snapshot</c> (with <c>force</c>: <c>…/snapshot-force</c>).</summary>
public sealed class VaultTargetOptions : ServiceTargetOptions
{
    public AppRoleSection? Approle { get; set; }
    [Help("restore a snapshot of another cluster (snapshot-force): its unseal keys then apply")]
    public bool Force { get; set; }

    protected override HttpPreset Preset => HttpPreset.Vault;

    protected override string RestorePath => Force ? HttpPreset.VaultForcedRestorePath : base.RestorePath;

    protected override ITokenSource? TokenSource(Func<string, string?> env, string what, Uri address, HttpTls tls) =>
        ServiceConnection.Token(Preset, Token, Approle, null, env, what, new VaultClient(address, tls));
}

/// <summary><c>type: consul</c>: <c>PUT /v1/snapshot</c>.</summary>
public sealed class ConsulTargetOptions : ServiceTargetOptions
{
    public VaultTokenSection? TokenFromVault { get; set; }

    protected override HttpPreset Preset => HttpPreset.Consul;

    protected override ITokenSource? TokenSource(Func<string, string?> env, string what, Uri address, HttpTls tls) =>
        ServiceConnection.Token(Preset, Token, null, TokenFromVault, env, what);
}

/// <summary><c>type: nomad</c>: <c>PUT /v1/operator/snapshot</c>.</summary>
public sealed class NomadTargetOptions : ServiceTargetOptions
{
    public VaultTokenSection? TokenFromVault { get; set; }

    protected override HttpPreset Preset => HttpPreset.Nomad;

    protected override ITokenSource? TokenSource(Func<string, string?> env, string what, Uri address, HttpTls tls) =>
        ServiceConnection.Token(Preset, Token, null, TokenFromVault, env, what);
}

/// <summary><c>type: etcd</c>: write the snapshot file for <c>etcdctl snapshot restore</c> (etcd has no restore API).</summary>
public sealed class EtcdTargetOptions : RestoreTargetOptions
{
    [RequiredKey, Help("a directory (the file keeps its name, etcd.db) or a file path; an existing file is never replaced")]
    public string Path { get; set; } = "";

    public override IRestoreTarget Create() => new EtcdFileTarget(Path);
}

/// <summary><c>type: http</c>: send the snapshot file to any URL (method PUT unless told).</summary>
public sealed class HttpTargetOptions : RestoreTargetOptions
{
    [RequiredKey]
    public string Url { get; set; } = "";
    [Help("PUT (default), POST, …")]
    public string? Method { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public List<SecretHeaderSection>? SecretHeaders { get; set; }
    public TlsSection? Tls { get; set; }

    public override IRestoreTarget Create() => Create(new SourceContext([], _ => null));

    public override IRestoreTarget Create(SourceContext context)
    {
        var url = ServiceConnection.ParseUrl(Url, "http restore target");
        if (Method?.Trim().ToUpperInvariant() == "GET")
        {
            throw new OffsiteException(ErrorKind.Usage, "http restore target: GET sends no body; use PUT or POST");
        }
        return new HttpServiceTarget(new HttpSnapshotRequest(
            "http", $"http:{ServiceConnection.HostPort(url)}", "", GenericHttp.Method(Method, HttpMethod.Put, "http restore target"), url,
            GenericHttp.Headers(Headers, SecretHeaders, "http restore target"), TlsSection.Resolve(Tls, null, context.Environment)));
    }
}
