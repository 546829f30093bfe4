using Offsite.App.Config;
using Offsite.Sources.Http;

namespace Offsite.App.Sources.Http;

/// <summary><c>type: http</c>: any URL whose response body is the backup (method, headers, body of your choosing).</summary>
public sealed class HttpSourceOptions : SourceOptions
{
    [RequiredKey, Help("the http:// or https:// URL")]
    public string Url { get; set; } = "";
    [Help("GET (default), POST, …")]
    public string? Method { get; set; }
    [Help("headers that are not secrets")]
    public Dictionary<string, string>? Headers { get; set; }
    [Help("headers whose values are secrets: [{name, value_file | value_command | value}]")]
    public List<SecretHeaderSection>? SecretHeaders { get; set; }
    [Help("a request body to send (as application/json)")]
    public string? Body { get; set; }
    public TlsSection? Tls { get; set; }
    [Help("the snapshot's source name (default http:host:port/path)")]
    public string? Name { get; set; }
    [Help("the file name in the snapshot (default: the URL's last segment)")]
    public string? FileName { get; set; }

    public override SourcePlan Plan(SourceContext context)
    {
        var url = ServiceConnection.ParseUrl(Url, "http source");
        string segment = url.Segments.Length > 1 ? Uri.UnescapeDataString(url.Segments[^1].TrimEnd('/')) : "";
        var request = new HttpSnapshotRequest(
            "http", Name ?? $"http:{ServiceConnection.HostPort(url)}", FileName ?? (segment.Length > 0 ? segment : "http.bin"),
            GenericHttp.Method(Method, HttpMethod.Get, "http source"), url, GenericHttp.Headers(Headers, SecretHeaders, "http source"), TlsSection.Resolve(Tls, null, context.Environment))
        {
            Body = Body,
        };
        return SourcePlan.ForStreams(new HttpStreamSource(request));
    }
}

/// <summary>What the generic http source and target share: method and header keys.</summary>
public static class GenericHttp
{
    public static HttpMethod Method(string? method, HttpMethod fallback, string what) => method?.Trim().ToUpperInvariant() switch
    {
        null or "" => fallback,
        "GET" => HttpMethod.Get,
        "POST" => HttpMethod.Post,
        "PUT" => HttpMethod.Put,
        "PATCH" => HttpMethod.Patch,
        string other => throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.Usage, $"{what}: method '{other}' is not one of GET, POST, PUT, PATCH"),
    };

    public static IReadOnlyList<HttpHeader> Headers(Dictionary<string, string>? plain, List<SecretHeaderSection>? secret, string what) =>
    [
        .. (plain ?? []).Select(h => HttpHeader.Plain(h.Key, h.Value)),
        .. (secret ?? []).Select(h => new HttpHeader(h.Name, new LocalToken(() => h.Value!.Resolve($"{what} header {h.Name}"), h.Value!.ToString()))),
    ];
}
