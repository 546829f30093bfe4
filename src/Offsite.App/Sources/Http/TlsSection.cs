using Offsite.App.Config;
using Offsite.Sources.Http;

namespace Offsite.App.Sources.Http;

/// <summary><c>tls:</c> of an HTTP source or target. Unset keys fall back to the service CLI's variables (VAULT_CACERT, …).</summary>
public sealed class TlsSection
{
    [Help("PEM file of the CA that signed the server's certificate")]
    public string? CaFile { get; set; }
    [Help("PEM client certificate (mutual TLS); needs client_key")]
    public string? ClientCert { get; set; }
    public string? ClientKey { get; set; }
    [Help("accept any server certificate (only for tests: a man in the middle sees the token)")]
    public bool? SkipVerify { get; set; }

    public static HttpTls Resolve(TlsSection? section, HttpPreset? preset, Func<string, string?> env)
    {
        string? Env(string? name) => name is null ? null : env(name) is { Length: > 0 } v ? v : null;
        bool envSkip = preset is not null && Env(preset.SkipVerifyVariable) is { } flag && IsTrue(flag) != preset.SkipVerifyVariableIsInverted;
        return new HttpTls(
            section?.CaFile ?? Env(preset?.CaVariable),
            section?.ClientCert ?? Env(preset?.ClientCertVariable),
            section?.ClientKey ?? Env(preset?.ClientKeyVariable),
            section?.SkipVerify ?? envSkip);
    }

    private static bool IsTrue(string value) => value.Trim().ToLowerInvariant() is "1" or "true" or "t" or "yes";
}
