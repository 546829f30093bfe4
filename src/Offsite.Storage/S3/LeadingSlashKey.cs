namespace Offsite.Storage.S3;

/// <summary>
/// Makes requests for keys that begin with '/' reach the right object. The AWS SDK for .NET signs the path
/// <c>/bucket//key</c> for the key <c>/key</c> but sends <c>/bucket/key</c> (it drops one leading '/' when it
/// joins the key to the endpoint): the server then computes another signature (403 SignatureDoesNotMatch),
/// and a server that did not check would serve the object <c>key</c> instead. Wrap each request about such a
/// key in <see cref="For"/>; <see cref="LeadingSlashKeyHandler"/> puts the dropped '/' back on the wire, so
/// the path sent is the path signed. Measured on Ceph RGW with AWSSDK.S3 4.0: keys <c>/a</c>, <c>//b</c>,
/// <c>///c d/e%</c> each lose exactly one '/'.
/// </summary>
public static class LeadingSlashKey
{
    private static readonly AsyncLocal<(string Bucket, string Key)?> CurrentKey = new();

    internal static (string Bucket, string Key)? Current => CurrentKey.Value;

    /// <summary>Marks the requests made until disposal (in this async flow) as being about <paramref name="key"/>; null when the key needs nothing.</summary>
    public static IDisposable? For(string bucket, string key)
    {
        if (!key.StartsWith('/')) return null;
        var previous = CurrentKey.Value;
        CurrentKey.Value = (bucket, key);
        return new Scope(previous);
    }

    /// <summary>The request path with the '/' the SDK dropped put back, or null when it dropped none.</summary>
    internal static string? RepairedPath(Uri uri, string bucket, string key)
    {
        string path = uri.AbsolutePath;
        // Path-style requests name the bucket first; virtual-hosted ones carry it in the host name.
        string start = uri.Host.StartsWith(bucket + ".", StringComparison.OrdinalIgnoreCase) ? "/" : "/" + bucket + "/";
        if (!path.StartsWith(start, StringComparison.Ordinal)) return null;
        int sent = LeadingSlashes(path.AsSpan(start.Length));
        return sent == LeadingSlashes(key) - 1 ? start + "/" + path[start.Length..] : null;
    }

    private static int LeadingSlashes(ReadOnlySpan<char> s)
    {
        int n = 0;
        while (n < s.Length && s[n] == '/') n++;
        return n;
    }

    private sealed class Scope((string, string)? previous) : IDisposable
    {
        public void Dispose() => CurrentKey.Value = previous;
    }
}

/// <summary>Restores the leading '/' of the key in flight (<see cref="LeadingSlashKey"/>) on the request's path.</summary>
internal sealed class LeadingSlashKeyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (LeadingSlashKey.Current is var (bucket, key) && request.RequestUri is { } uri
            && LeadingSlashKey.RepairedPath(uri, bucket, key) is { } path)
        {
            // Uri keeps the escapes of a string it is given, so the path goes out exactly as the SDK encoded and signed it.
            request.RequestUri = new Uri(uri.GetLeftPart(UriPartial.Authority) + path + uri.Query);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
