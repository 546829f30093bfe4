using Offsite.App.Config;

namespace Offsite.App.Sources.Http;

/// <summary>
/// <c>token_from_vault:</c> a Consul or Nomad token issued by Vault's secrets engine for the
/// service (<c>consul/creds/ROLE</c>, <c>nomad/creds/ROLE</c>) at each run, with a Vault token
/// from <c>token</c>, an AppRole login, or VAULT_TOKEN.
/// </summary>
public sealed class VaultTokenSection
{
    [Help("Vault's address (default VAULT_ADDR)")]
    public string? Address { get; set; }
    [Help("the Vault token: token, token_file or token_command (default VAULT_TOKEN, then ~/.vault-token)")]
    public SecretValue? Token { get; set; }
    public AppRoleSection? Approle { get; set; }
    [Help("the role of the secrets engine: reads MOUNT/creds/ROLE")]
    public string? Role { get; set; }
    [Help("where the secrets engine is mounted (default consul or nomad)")]
    public string? Mount { get; set; }
    [Help("the secret's whole path instead of MOUNT/creds/ROLE")]
    public string? Path { get; set; }
    [Help("the field holding the token (default token for Consul, secret_id for Nomad)")]
    public string? Field { get; set; }
    public TlsSection? Tls { get; set; }
}
