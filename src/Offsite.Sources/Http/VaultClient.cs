using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Offsite.Core.Errors;

namespace Offsite.Sources.Http;

/// <summary>
/// The few Vault calls the token chain needs: an AppRole login
/// (<c>POST /v1/auth/approle/login</c> with <c>role_id</c> and <c>secret_id</c>, answering
/// <c>auth.client_token</c>) and reading a field of a secret (<c>GET /v1/consul/creds/ROLE</c> →
/// <c>data.token</c>, <c>GET /v1/nomad/creds/ROLE</c> → <c>data.secret_id</c>).
/// Responses are small JSON documents; a larger one is refused.
/// </summary>
public sealed class VaultClient(Uri address, HttpTls tls, string? vaultNamespace = null)
{
    public const string TokenHeader = "X-Vault-Token";
    public const string NamespaceHeader = "X-Vault-Namespace";
    private const int MaxResponse = 1024 * 1024;

    public Uri Address => address;

    public string What => $"Vault at {HttpSnapshotRequest.DisplayUrl(address)}";

    public async Task<string> LoginAppRoleAsync(string mount, string roleId, string secretId, Redactor redactor, CancellationToken cancellationToken)
    {
        redactor.Add(secretId);
        var body = new JsonObject { ["role_id"] = roleId, ["secret_id"] = secretId };
        var json = await CallAsync(HttpMethod.Post, $"v1/auth/{mount.Trim('/')}/login", null, body, $"AppRole login to {What}", redactor, cancellationToken).ConfigureAwait(false);
        return StringAt(json, ["auth", "client_token"], $"AppRole login to {What}", redactor);
    }

    public async Task<string> ReadFieldAsync(string path, string field, string token, Redactor redactor, CancellationToken cancellationToken)
    {
        string what = $"reading {path} from {What}";
        var json = await CallAsync(HttpMethod.Get, "v1/" + path.Trim('/'), token, null, what, redactor, cancellationToken).ConfigureAwait(false);
        return StringAt(json, ["data", field], what, redactor);
    }

    private async Task<JsonNode?> CallAsync(HttpMethod method, string path, string? token, JsonObject? body, string what, Redactor redactor, CancellationToken cancellationToken)
    {
        using var client = HttpClients.Create(tls, what);
        using var request = new HttpRequestMessage(method, new Uri(address, path));
        if (token is not null)
        {
            redactor.Add(token);
            request.Headers.TryAddWithoutValidation(TokenHeader, token);
        }
        if (vaultNamespace is not null)
        {
            request.Headers.TryAddWithoutValidation(NamespaceHeader, vaultNamespace);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw HttpFailures.FromException(e, what, redactor);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await HttpFailures.FromResponseAsync(response, what, redactor, cancellationToken).ConfigureAwait(false);
            }
            if (response.Content.Headers.ContentLength > MaxResponse)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, $"{what}: the response is larger than {MaxResponse} bytes");
            }
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                return await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is JsonException or IOException or HttpRequestException)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, redactor.Redact($"{what}: unreadable response ({e.Message})"), e);
            }
        }
    }

    private static string StringAt(JsonNode? json, string[] path, string what, Redactor redactor)
    {
        var node = json;
        foreach (string key in path)
        {
            node = node is JsonObject o ? o[key] : null;
        }
        if (node is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0)
        {
            redactor.Add(s);
            return s;
        }
        throw new OffsiteException(ErrorKind.SourceFailed, $"{what}: the response has no {string.Join('.', path)}");
    }
}

/// <summary>A Vault token from an AppRole login (the role id, and the secret id from a file or a command).</summary>
public sealed class VaultAppRoleToken(VaultClient vault, string mount, string roleId, Func<string> secretId) : ITokenSource
{
    private readonly Redactor _redactor = new();

    public string Describe => $"an AppRole login to {vault.What}";

    public Task<string> GetAsync(CancellationToken cancellationToken) =>
        vault.LoginAppRoleAsync(mount, roleId, secretId(), _redactor, cancellationToken);
}

/// <summary>
/// A token read from a Vault secret: the second link of the chain ("a token to get a token"),
/// e.g. a Consul ACL token from <c>consul/creds/ROLE</c>, with the Vault token from <paramref name="vaultToken"/>.
/// </summary>
public sealed class VaultSecretToken(VaultClient vault, ITokenSource vaultToken, string path, string field) : ITokenSource
{
    private readonly Redactor _redactor = new();

    public string Describe => $"{path} in {vault.What}";

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        string token = await vaultToken.GetAsync(cancellationToken).ConfigureAwait(false);
        return await vault.ReadFieldAsync(path, field, token, _redactor, cancellationToken).ConfigureAwait(false);
    }
}
