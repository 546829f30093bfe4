namespace Offsite.Storage.S3;

/// <summary>
/// Parses S3 repository locations:
/// <list type="bullet">
/// <item><c>s3:https://host[:port]/bucket[/prefix]</c> — endpoint in the URL, path-style addressing;</item>
/// <item><c>s3:host[:port]/bucket[/prefix]</c> — the same over https;</item>
/// <item><c>s3://bucket[/prefix]</c> — AWS S3, or the endpoint given separately (<c>--s3-endpoint</c>).</item>
/// </list>
/// </summary>
public static class S3Url
{
    public static bool IsS3(string location) => location.StartsWith("s3:", StringComparison.Ordinal);

    /// <summary>Returns options for the location; <paramref name="defaults"/> supplies endpoint, region, credentials and lock settings.</summary>
    public static S3Options Parse(string location, S3Options defaults)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(defaults);
        if (!IsS3(location))
        {
            throw new FormatException($"not an S3 location: {location}");
        }
        string rest = location["s3:".Length..];
        Uri? endpoint = defaults.Endpoint;
        bool pathStyle = defaults.ForcePathStyle;
        string path;
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            path = rest[2..];
        }
        else
        {
            if (!rest.Contains("://", StringComparison.Ordinal))
            {
                rest = "https://" + rest;
            }
            if (!Uri.TryCreate(rest, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            {
                throw new FormatException($"bad S3 location '{location}': expected s3:https://host[:port]/bucket[/prefix] or s3://bucket[/prefix]");
            }
            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new FormatException("do not put credentials in the repository URL: use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --s3-profile");
            }
            endpoint = new Uri(uri.GetLeftPart(UriPartial.Authority));
            pathStyle = true;
            path = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        }
        int slash = path.IndexOf('/', StringComparison.Ordinal);
        string bucket = slash < 0 ? path : path[..slash];
        string prefix = slash < 0 ? "" : path[(slash + 1)..].Trim('/');
        if (!IsValidBucket(bucket))
        {
            throw new FormatException($"bad S3 location '{location}': '{bucket}' is not a valid bucket name (3-63 characters: a-z 0-9 . -)");
        }
        if (prefix.Split('/').Any(p => p is "." or ".."))
        {
            throw new FormatException($"bad S3 location '{location}': the prefix may not contain . or .. segments");
        }
        return defaults with { Endpoint = endpoint, ForcePathStyle = pathStyle, Bucket = bucket, Prefix = prefix };
    }

    public static bool IsValidBucket(string bucket) =>
        bucket.Length is >= 3 and <= 63
        && bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
        && char.IsAsciiLetterOrDigit(bucket[0]) && char.IsAsciiLetterOrDigit(bucket[^1]);
}
