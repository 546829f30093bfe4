using Offsite.App.Config;
using Offsite.App.Secrets;
using Offsite.Core.Errors;
using Offsite.Sources.Http;

namespace Offsite.App.Sources.Http;

/// <summary>
/// Where a service is and how to authenticate to it, from the config keys with the service CLI's
/// own environment variables as defaults (read through the run's environment, never the process's).
/// </summary>
public static class ServiceConnection
{
    /// <summary>The address: the key, else the preset's variable (first of a list), else its default; always ending in '/'.</summary>
    public static Uri Address(HttpPreset preset, string? address, Func<string, string?> env, string what)
    {
        string? text = address;
        if (text is null && env(preset.AddressVariable) is { Length: > 0 } fromEnv)
        {
            text = preset.AddressIsList ? fromEnv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() : fromEnv.Trim();
        }
        text ??= preset.DefaultAddress;
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            // Consul and Nomad accept host:port; CONSUL_HTTP_SSL=true makes it https.
            bool https = preset.HttpsVariable is { } v && env(v)?.Trim().ToLowerInvariant() is "1" or "true";
            text = (https ? "https://" : "http://") + text;
        }
        return ParseUrl(text, what, asBase: true);
    }

    /// <param name="asBase">an API's base address: made to end in '/' so that paths resolve below it</param>
    public static Uri ParseUrl(string text, string what, bool asBase = false)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{what}: '{text}' is not an http:// or https:// address");
        }
        if (uri.UserInfo.Length > 0)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{what}: put no credentials in the address; use the token keys");
        }
        return !asBase || uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/" + uri.Query);
    }

    /// <summary>"host:port", the part of a source name after "vault:".</summary>
    public static string HostPort(Uri address) => address.AbsolutePath.Length > 1
        ? $"{address.Host}:{address.Port}{address.AbsolutePath.TrimEnd('/')}"
        : $"{address.Host}:{address.Port}";

    /// <summary>
    /// The token: the <c>token</c> key (value, file or command), else an AppRole login (Vault),
    /// else one from Vault's secrets engine (Consul, Nomad), else the CLI's variables; null when
    /// none is set (the server then answers 403, reported as such).
    /// </summary>
    /// <param name="vault">for <paramref name="approle"/>: the Vault to log in to (the vault source's own address and TLS)</param>
    public static ITokenSource? Token(HttpPreset preset, SecretValue? token, AppRoleSection? approle, VaultTokenSection? fromVault, Func<string, string?> env, string what, VaultClient? vault = null)
    {
        int given = (token is null ? 0 : 1) + (approle is null ? 0 : 1) + (fromVault is null ? 0 : 1);
        if (given > 1)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{what}: give one of token, approle and token_from_vault");
        }
        if (token is not null)
        {
            return Local(token, $"{what} token");
        }
        if (approle is not null)
        {
            return AppRole(vault ?? new VaultClient(Address(HttpPreset.Vault, null, env, what), TlsSection.Resolve(null, HttpPreset.Vault, env)), approle, what);
        }
        if (fromVault is not null)
        {
            return FromVault(preset, fromVault, env, what);
        }
        return FromEnvironment(preset, env);
    }

    private static ITokenSource Local(SecretValue secret, string what) =>
        new LocalToken(() => secret.Resolve(what), secret.ToString());

    private static VaultAppRoleToken AppRole(VaultClient vault, AppRoleSection approle, string what) =>
        new(vault, approle.Mount ?? "approle", approle.RoleId, () => approle.SecretId!.Resolve($"{what} approle secret_id"));

    private static VaultSecretToken FromVault(HttpPreset preset, VaultTokenSection section, Func<string, string?> env, string what)
    {
        string where = $"{what} token_from_vault";
        if (preset.VaultCredsMount is null && section.Path is null)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{where}: give path (the Vault secret holding the token)");
        }
        string path = section.Path ?? $"{section.Mount ?? preset.VaultCredsMount}/creds/{section.Role ?? throw new OffsiteException(ErrorKind.Usage, $"{where}: give role (reads {section.Mount ?? preset.VaultCredsMount}/creds/ROLE) or path")}";
        string field = section.Field ?? preset.VaultCredsField ?? "token";
        var vault = new VaultClient(Address(HttpPreset.Vault, section.Address, env, where), TlsSection.Resolve(section.Tls, HttpPreset.Vault, env));
        ITokenSource vaultToken;
        if (section.Token is not null && section.Approle is not null)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{where}: give token or approle, not both");
        }
        if (section.Token is not null)
        {
            vaultToken = Local(section.Token, $"{where} token");
        }
        else if (section.Approle is not null)
        {
            vaultToken = AppRole(vault, section.Approle, where);
        }
        else
        {
            vaultToken = FromEnvironment(HttpPreset.Vault, env)
                ?? throw new OffsiteException(ErrorKind.Usage, $"{where}: no Vault token: give token, token_file, approle, or set VAULT_TOKEN");
        }
        return new VaultSecretToken(vault, vaultToken, path, field);
    }

    /// <summary>The CLI's token variable, its token-file variable, and for Vault the CLI's token helper file ~/.vault-token.</summary>
    private static ITokenSource? FromEnvironment(HttpPreset preset, Func<string, string?> env)
    {
        if (preset.TokenVariable is { } variable && env(variable) is { Length: > 0 } token)
        {
            return new LocalToken(() => token, "$" + variable);
        }
        if (preset.TokenFileVariable is { } fileVariable && env(fileVariable) is { Length: > 0 } file)
        {
            return new LocalToken(() => SecretReader.FirstLine(SecretReader.ReadFile(file, "$" + fileVariable), file), file);
        }
        if (preset == HttpPreset.Vault && env("HOME") is { Length: > 0 } home && File.Exists(Path.Combine(home, ".vault-token")))
        {
            string helperFile = Path.Combine(home, ".vault-token");
            return new LocalToken(() => SecretReader.FirstLine(SecretReader.ReadFile(helperFile, "Vault token file"), helperFile), helperFile);
        }
        return null;
    }

    /// <summary>The token as the preset's header, if there is a token.</summary>
    public static IReadOnlyList<HttpHeader> Headers(HttpPreset preset, ITokenSource? token) =>
        token is null || preset.TokenHeader is null ? [] : [new HttpHeader(preset.TokenHeader, token)];
}
