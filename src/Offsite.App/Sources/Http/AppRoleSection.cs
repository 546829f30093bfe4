using Offsite.App.Config;

namespace Offsite.App.Sources.Http;

/// <summary><c>approle:</c> log in to Vault with an AppRole instead of holding a Vault token.</summary>
public sealed class AppRoleSection
{
    [RequiredKey, Help("the AppRole's role_id (not a secret on its own)")]
    public string RoleId { get; set; } = "";
    [RequiredKey, Help("the secret_id: secret_id_file (usual), secret_id_command or secret_id")]
    public SecretValue? SecretId { get; set; }
    [Help("where the AppRole auth method is mounted (default approle)")]
    public string? Mount { get; set; }
}
