using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace Offsite.Storage.Tests;

/// <summary>
/// An in-process S3 endpoint for what RGW does not emulate: archive storage classes and RestoreObject,
/// following the AWS S3 API reference exactly where Offsite depends on it:
/// <list type="bullet">
/// <item>PUT Object stores <c>x-amz-storage-class</c> and <c>x-amz-tagging</c>; <c>If-None-Match: *</c> on an existing key → 412.</item>
/// <item>HEAD Object: <c>x-amz-storage-class</c> (omitted for STANDARD, as AWS does); for archived objects
/// <c>x-amz-restore: ongoing-request="true"</c> while a retrieval runs, <c>ongoing-request="false", expiry-date="…"</c> after.</item>
/// <item>GET Object of a GLACIER/DEEP_ARCHIVE object without a retrieved copy → 403 <c>InvalidObjectState</c> (with &lt;StorageClass&gt;); Range → 206.</item>
/// <item>POST Object <c>?restore</c> with a RestoreRequest body (Days, GlacierJobParameters/Tier) → 202 Accepted when a
/// retrieval starts, 409 <c>RestoreAlreadyInProgress</c> while one runs, 200 OK when a copy is already retrieved, 403
/// <c>InvalidObjectState</c> for a class that needs none.</item>
/// <item>ListObjectsV2 (<c>list-type=2</c>, prefix, one page), DELETE.</item>
/// </list>
/// Signatures are not checked. A retrieval completes on <see cref="CompleteRetrievals"/>, or by itself after
/// <see cref="HeadsUntilRetrieved"/> HEADs of the object (a deterministic stand-in for hours).
/// </summary>
internal sealed class ArchiveS3Server : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Task _loop;

    public ArchiveS3Server()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";
    public int? HeadsUntilRetrieved { get; set; }

    public List<(string Key, int Days, string Tier)> RestoreRequests { get; } = new();

    public sealed class StoredObject
    {
        public required byte[] Data { get; init; }
        public required string StorageClass { get; init; }
        public string? Tagging { get; init; }
        public DateTimeOffset Modified { get; init; }
        public bool Retrieving { get; set; }
        public int HeadsWhileRetrieving { get; set; }
        public DateTimeOffset? RetrievedUntil { get; set; }
        public bool Archived => StorageClass is "GLACIER" or "DEEP_ARCHIVE";
        public bool Readable => !Archived || RetrievedUntil is not null;
        public string ETag => "\"" + Convert.ToHexStringLower(MD5.HashData(Data)) + "\"";
    }

    /// <summary>A snapshot of what is stored (key within the bucket → object).</summary>
    public Dictionary<string, StoredObject> Objects
    {
        get { lock (_lock) return new Dictionary<string, StoredObject>(_objects, StringComparer.Ordinal); }
    }

    public void CompleteRetrievals()
    {
        lock (_lock)
        {
            foreach (var o in _objects.Values.Where(o => o.Retrieving))
            {
                Finish(o);
            }
        }
    }

    private static void Finish(StoredObject o)
    {
        o.Retrieving = false;
        o.RetrievedUntil = DateTimeOffset.UtcNow.AddDays(1);
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            string path = Uri.UnescapeDataString(request.Url!.AbsolutePath).TrimStart('/');
            int slash = path.IndexOf('/', StringComparison.Ordinal);
            string key = slash < 0 ? "" : path[(slash + 1)..];
            var query = request.QueryString;
            byte[] body;
            using (var ms = new MemoryStream())
            {
                await request.InputStream.CopyToAsync(ms);
                body = ms.ToArray();
            }
            switch (request.HttpMethod)
            {
                case "GET" when key.Length == 0 && query["list-type"] == "2":
                    await ListAsync(response, query["prefix"] ?? "");
                    break;
                case "PUT":
                    Put(request, response, key, body);
                    break;
                case "HEAD":
                    Head(response, key);
                    break;
                case "GET":
                    await GetAsync(request, response, key);
                    break;
                case "POST" when IsRestore(request.Url!.Query):
                    await RestoreAsync(response, key, body);
                    break;
                case "DELETE":
                    lock (_lock) _objects.Remove(key);
                    response.StatusCode = 204;
                    break;
                default:
                    await ErrorAsync(response, 501, "NotImplemented", $"{request.HttpMethod} {request.Url} is not emulated");
                    break;
            }
        }
        finally
        {
            response.Close();
        }
    }

    /// <summary>POST /key?restore: a bare query key (HttpListener files it under a null name, so look at the raw query).</summary>
    private static bool IsRestore(string query) =>
        query.TrimStart('?').Split('&').Any(p => p == "restore" || p.StartsWith("restore=", StringComparison.Ordinal));

    private void Put(HttpListenerRequest request, HttpListenerResponse response, string key, byte[] body)
    {
        var stored = new StoredObject
        {
            Data = body,
            StorageClass = request.Headers["x-amz-storage-class"] is { Length: > 0 } c ? c : "STANDARD",
            Tagging = request.Headers["x-amz-tagging"],
            Modified = DateTimeOffset.UtcNow,
        };
        lock (_lock)
        {
            if (request.Headers["If-None-Match"] == "*" && _objects.ContainsKey(key))
            {
                response.StatusCode = 412;
                return;
            }
            _objects[key] = stored;
        }
        response.Headers["ETag"] = stored.ETag;
        response.StatusCode = 200;
    }

    private void Head(HttpListenerResponse response, string key)
    {
        StoredObject? o;
        lock (_lock)
        {
            if (_objects.TryGetValue(key, out o) && o.Retrieving && HeadsUntilRetrieved is int n && ++o.HeadsWhileRetrieving >= n)
            {
                Finish(o);
            }
        }
        if (o is null)
        {
            response.StatusCode = 404;
            return;
        }
        Describe(response, o);
        response.ContentLength64 = o.Data.Length;
        response.StatusCode = 200;
    }

    private static void Describe(HttpListenerResponse response, StoredObject o)
    {
        response.Headers["ETag"] = o.ETag;
        response.Headers["Last-Modified"] = o.Modified.ToString("R", CultureInfo.InvariantCulture);
        response.Headers["Accept-Ranges"] = "bytes";
        response.ContentType = "application/octet-stream";
        if (o.StorageClass != "STANDARD")
        {
            response.Headers["x-amz-storage-class"] = o.StorageClass;
        }
        if (o.Retrieving)
        {
            response.Headers["x-amz-restore"] = "ongoing-request=\"true\"";
        }
        else if (o.RetrievedUntil is { } until)
        {
            response.Headers["x-amz-restore"] = $"ongoing-request=\"false\", expiry-date=\"{until.ToString("R", CultureInfo.InvariantCulture)}\"";
        }
    }

    private async Task GetAsync(HttpListenerRequest request, HttpListenerResponse response, string key)
    {
        StoredObject? o;
        lock (_lock) _objects.TryGetValue(key, out o);
        if (o is null)
        {
            await ErrorAsync(response, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        if (!o.Readable)
        {
            await ErrorAsync(response, 403, "InvalidObjectState", "The operation is not valid for the object's storage class", $"<StorageClass>{o.StorageClass}</StorageClass>");
            return;
        }
        long start = 0, end = o.Data.Length - 1;
        if (request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            string[] parts = range["bytes=".Length..].Split('-');
            start = long.Parse(parts[0], CultureInfo.InvariantCulture);
            end = parts[1].Length > 0 ? Math.Min(end, long.Parse(parts[1], CultureInfo.InvariantCulture)) : end;
            if (start >= o.Data.Length)
            {
                await ErrorAsync(response, 416, "InvalidRange", "The requested range is not satisfiable");
                return;
            }
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {start}-{end}/{o.Data.Length}";
        }
        else
        {
            response.StatusCode = 200;
        }
        Describe(response, o);
        int length = (int)(end - start + 1);
        response.ContentLength64 = length;
        await response.OutputStream.WriteAsync(o.Data.AsMemory((int)start, length));
    }

    private async Task RestoreAsync(HttpListenerResponse response, string key, byte[] body)
    {
        var xml = XDocument.Parse(Encoding.UTF8.GetString(body));
        int days = int.Parse(xml.Descendants().First(e => e.Name.LocalName == "Days").Value, CultureInfo.InvariantCulture);
        string tier = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Tier")?.Value ?? "Standard";
        int status;
        lock (_lock)
        {
            if (!_objects.TryGetValue(key, out var o))
            {
                status = 404;
            }
            else if (!o.Archived)
            {
                status = 403;
            }
            else if (o.Retrieving)
            {
                status = 409;
            }
            else if (o.RetrievedUntil is not null)
            {
                o.RetrievedUntil = DateTimeOffset.UtcNow.AddDays(days);
                status = 200;
            }
            else
            {
                o.Retrieving = true;
                RestoreRequests.Add((key, days, tier));
                status = 202;
            }
        }
        switch (status)
        {
            case 404: await ErrorAsync(response, 404, "NoSuchKey", "The specified key does not exist."); break;
            case 403: await ErrorAsync(response, 403, "InvalidObjectState", "Restore is not allowed for the object's current storage class"); break;
            case 409: await ErrorAsync(response, 409, "RestoreAlreadyInProgress", "Object restore is already in progress"); break;
            default: response.StatusCode = status; break;
        }
    }

    private async Task ListAsync(HttpListenerResponse response, string prefix)
    {
        List<(string Key, StoredObject O)> matches;
        lock (_lock) matches = _objects.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToList();
        XNamespace ns = "http://s3.amazonaws.com/doc/2006-03-01/";
        var doc = new XElement(ns + "ListBucketResult",
            new XElement(ns + "Name", "bucket"),
            new XElement(ns + "Prefix", prefix),
            new XElement(ns + "KeyCount", matches.Count),
            new XElement(ns + "MaxKeys", 1000),
            new XElement(ns + "IsTruncated", "false"),
            matches.Select(m => new XElement(ns + "Contents",
                new XElement(ns + "Key", m.Key),
                new XElement(ns + "LastModified", m.O.Modified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
                new XElement(ns + "ETag", m.O.ETag),
                new XElement(ns + "Size", m.O.Data.Length),
                new XElement(ns + "StorageClass", m.O.StorageClass))));
        await WriteXmlAsync(response, 200, doc.ToString(SaveOptions.DisableFormatting));
    }

    private static Task ErrorAsync(HttpListenerResponse response, int status, string code, string message, string extra = "") =>
        WriteXmlAsync(response, status, $"<Error><Code>{code}</Code><Message>{message}</Message>{extra}<RequestId>offsite-test</RequestId></Error>");

    private static async Task WriteXmlAsync(HttpListenerResponse response, int status, string xml)
    {
        byte[] bytes = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + xml);
        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
