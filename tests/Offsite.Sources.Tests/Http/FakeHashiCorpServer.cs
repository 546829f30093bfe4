using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Offsite.Sources.Tests.Http;

/// <summary>
/// Vault, Consul and Nomad as their HTTP API documentation describes the calls Offsite makes,
/// on a loopback Kestrel server (none of the three is packaged here). Every request is checked:
/// method, path, the token header, no body on a GET, and for restores the exact body bytes and
/// Content-Length. Anything else answers 404/405 and is listed in <see cref="Unexpected"/>.
///
/// API references: Vault /sys/storage/raft (GET and POST snapshot, POST snapshot-force),
/// /auth/approle/login, consul/creds/:role, nomad/creds/:role; Consul /v1/snapshot (GET, PUT);
/// Nomad /v1/operator/snapshot (GET, PUT).
/// </summary>
public sealed class FakeHashiCorpServer : IAsyncDisposable
{
    public const string VaultToken = "hvs.root-token-for-tests-0001";
    public const string AppRoleId = "0b7c3f6e-role-id";
    public const string AppRoleSecretId = "5e8d-secret-id-for-tests";
    public const string AppRoleToken = "hvs.approle-issued-token-0002";
    public const string ConsulToken = "consul-acl-token-0003";
    public const string NomadToken = "nomad-secret-id-0004";
    public const string ConsulRole = "offsite-backup";
    public const string NomadRole = "offsite-ops";

    private readonly WebApplication _app;
    private readonly List<string> _unexpected = new();
    private readonly List<string> _log = new();

    /// <param name="clientIssuer">with a server certificate: demand a client certificate issued by this subject (mutual TLS)</param>
    public FakeHashiCorpServer(byte[] snapshot, X509Certificate2? serverCertificate = null, string? clientIssuer = null)
    {
        Snapshot = snapshot;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            if (serverCertificate is null) return;
            if (clientIssuer is null)
            {
                listen.UseHttps(serverCertificate);
                return;
            }
            listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate,
                // The test CA is not in the machine's store: the issuer's name is what the test checks.
                ClientCertificateValidation = (client, _, _) => client.Issuer == clientIssuer,
            });
        }));
        _app = builder.Build();
        _app.Run(HandleAsync);
        _app.StartAsync().GetAwaiter().GetResult();
        Address = _app.Urls.First();
    }

    /// <summary>http://127.0.0.1:PORT (or https://).</summary>
    public string Address { get; }

    public byte[] Snapshot { get; }

    /// <summary>Answer snapshot calls with 500 "No cluster leader" (a cluster that lost quorum).</summary>
    public bool NoLeader { get; set; }

    /// <summary>Send this many bytes of a snapshot (announcing the whole length), then cut the connection.</summary>
    public int? CutAfter { get; set; }

    /// <summary>What each restore received: "vault" / "vault-force" / "consul" / "nomad" and the body.</summary>
    public List<(string Service, byte[] Body)> Restores { get; } = new();

    public IReadOnlyList<string> Unexpected { get { lock (_unexpected) return [.. _unexpected]; } }

    /// <summary>"METHOD /path" of every request, in order.</summary>
    public IReadOnlyList<string> Requests { get { lock (_log) return [.. _log]; } }

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        string call = $"{request.Method} {request.Path}{request.QueryString}";
        lock (_log) _log.Add(call);
        switch (call)
        {
            case "GET /v1/sys/storage/raft/snapshot":
                await SnapshotAsync(http, "X-Vault-Token", [VaultToken, AppRoleToken], VaultDenied).ConfigureAwait(false);
                return;
            case "POST /v1/sys/storage/raft/snapshot":
            case "POST /v1/sys/storage/raft/snapshot-force":
                await RestoreAsync(http, call.EndsWith("-force", StringComparison.Ordinal) ? "vault-force" : "vault", "X-Vault-Token", [VaultToken, AppRoleToken], VaultDenied, 204).ConfigureAwait(false);
                return;
            case "GET /v1/snapshot":
                await SnapshotAsync(http, "X-Consul-Token", [ConsulToken], PlainDenied).ConfigureAwait(false);
                return;
            case "PUT /v1/snapshot":
                await RestoreAsync(http, "consul", "X-Consul-Token", [ConsulToken], PlainDenied, 200).ConfigureAwait(false);
                return;
            case "GET /v1/operator/snapshot":
                await SnapshotAsync(http, "X-Nomad-Token", [NomadToken], PlainDenied).ConfigureAwait(false);
                return;
            case "PUT /v1/operator/snapshot":
                await RestoreAsync(http, "nomad", "X-Nomad-Token", [NomadToken], PlainDenied, 200).ConfigureAwait(false);
                return;
            case "POST /v1/auth/approle/login":
                await AppRoleLoginAsync(http).ConfigureAwait(false);
                return;
            case "GET /v1/consul/creds/" + ConsulRole:
                await CredsAsync(http, new { accessor = "c0ffee-accessor", token = ConsulToken }, "consul/creds/" + ConsulRole).ConfigureAwait(false);
                return;
            case "GET /v1/nomad/creds/" + NomadRole:
                await CredsAsync(http, new { accessor_id = "n0mad-accessor", secret_id = NomadToken }, "nomad/creds/" + NomadRole).ConfigureAwait(false);
                return;
            default:
                await RejectAsync(http, 404, $"unexpected call {call}").ConfigureAwait(false);
                return;
        }
    }

    private async Task SnapshotAsync(HttpContext http, string header, string[] tokens, Func<HttpContext, Task> denied)
    {
        if (!await ExpectNoBodyAsync(http).ConfigureAwait(false)) return;
        if (!TokenOk(http, header, tokens))
        {
            await denied(http).ConfigureAwait(false);
            return;
        }
        if (NoLeader)
        {
            http.Response.StatusCode = 500;
            await http.Response.WriteAsync("No cluster leader").ConfigureAwait(false);
            return;
        }
        http.Response.ContentType = "application/octet-stream";
        http.Response.ContentLength = Snapshot.Length;
        int send = CutAfter ?? Snapshot.Length;
        // In pieces, flushed: a client that held the whole body before passing it on would not show it.
        for (int at = 0; at < send; at += 64 * 1024)
        {
            await http.Response.Body.WriteAsync(Snapshot.AsMemory(at, Math.Min(64 * 1024, send - at))).ConfigureAwait(false);
            await http.Response.Body.FlushAsync().ConfigureAwait(false);
        }
        if (CutAfter is not null)
        {
            http.Abort();
        }
    }

    private async Task RestoreAsync(HttpContext http, string service, string header, string[] tokens, Func<HttpContext, Task> denied, int status)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body).ConfigureAwait(false);
        if (!TokenOk(http, header, tokens))
        {
            await denied(http).ConfigureAwait(false);
            return;
        }
        if (NoLeader)
        {
            http.Response.StatusCode = 500;
            await http.Response.WriteAsync("No cluster leader").ConfigureAwait(false);
            return;
        }
        if (http.Request.ContentLength != body.Length)
        {
            await RejectAsync(http, 400, $"{service} restore: Content-Length {http.Request.ContentLength} but {body.Length} bytes").ConfigureAwait(false);
            return;
        }
        lock (Restores) Restores.Add((service, body.ToArray()));
        http.Response.StatusCode = status;
    }

    private async Task AppRoleLoginAsync(HttpContext http)
    {
        Dictionary<string, string>? login;
        try
        {
            login = await JsonSerializer.DeserializeAsync<Dictionary<string, string>>(http.Request.Body).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            await RejectAsync(http, 400, "approle login: body is not a JSON object of strings").ConfigureAwait(false);
            return;
        }
        if (login is null || login.Count != 2 || !login.ContainsKey("role_id") || !login.ContainsKey("secret_id"))
        {
            await RejectAsync(http, 400, "approle login: body must be {role_id, secret_id}").ConfigureAwait(false);
            return;
        }
        if (login["role_id"] != AppRoleId || login["secret_id"] != AppRoleSecretId)
        {
            http.Response.StatusCode = 400; // Vault answers a wrong secret_id with 400 and this text
            await http.Response.WriteAsJsonAsync(new { errors = new[] { "invalid role or secret ID" } }).ConfigureAwait(false);
            return;
        }
        await http.Response.WriteAsJsonAsync(new
        {
            request_id = "f00d", lease_id = "", renewable = false, lease_duration = 0, data = (object?)null,
            auth = new { client_token = AppRoleToken, accessor = "acc-1", policies = new[] { "default", "backup" }, lease_duration = 1200, renewable = true },
        }).ConfigureAwait(false);
    }

    private async Task CredsAsync(HttpContext http, object data, string path)
    {
        if (!await ExpectNoBodyAsync(http).ConfigureAwait(false)) return;
        if (!TokenOk(http, "X-Vault-Token", [AppRoleToken, VaultToken]))
        {
            await VaultDenied(http).ConfigureAwait(false);
            return;
        }
        await http.Response.WriteAsJsonAsync(new { request_id = "beef", lease_id = path + "/lease-1", renewable = true, lease_duration = 3600, data }).ConfigureAwait(false);
    }

    private static bool TokenOk(HttpContext http, string header, string[] tokens) =>
        http.Request.Headers[header] is { Count: 1 } values && tokens.Contains(values[0], StringComparer.Ordinal);

    private static async Task VaultDenied(HttpContext http)
    {
        http.Response.StatusCode = 403;
        await http.Response.WriteAsJsonAsync(new { errors = new[] { "permission denied" } }).ConfigureAwait(false);
    }

    private static async Task PlainDenied(HttpContext http)
    {
        http.Response.StatusCode = 403;
        await http.Response.WriteAsync("Permission denied").ConfigureAwait(false);
    }

    private async Task<bool> ExpectNoBodyAsync(HttpContext http)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body).ConfigureAwait(false);
        if (body.Length == 0) return true;
        await RejectAsync(http, 400, $"{http.Request.Method} {http.Request.Path} must have no body").ConfigureAwait(false);
        return false;
    }

    private async Task RejectAsync(HttpContext http, int status, string why)
    {
        lock (_unexpected) _unexpected.Add(why);
        http.Response.StatusCode = status;
        await http.Response.WriteAsync(why, Encoding.UTF8).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
