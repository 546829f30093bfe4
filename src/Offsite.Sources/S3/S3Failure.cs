using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Offsite.Sources.S3;

/// <summary>
/// What an S3 failure means to a user, in one phrase that never contains a credential: the
/// endpoint cannot be reached, the credentials are refused, the bucket or key does not exist.
/// </summary>
public static class S3Failure
{
    public static bool IsNotFound(Exception e) =>
        e is AmazonS3Exception s && (s.StatusCode == HttpStatusCode.NotFound || s.ErrorCode is "NoSuchKey" or "NotFound");

    public static bool IsNoSuchBucket(Exception e) => e is AmazonS3Exception { ErrorCode: "NoSuchBucket" };

    public static bool IsPreconditionFailed(Exception e) =>
        e is AmazonS3Exception s && (s.StatusCode == HttpStatusCode.PreconditionFailed || s.ErrorCode == "PreconditionFailed");

    /// <summary>GET of an object in an archive storage class that was not retrieved first.</summary>
    public static bool IsArchived(Exception e) => e is AmazonS3Exception { ErrorCode: "InvalidObjectState" };

    /// <summary>Failures of the SDK or the network (not cancellation, not a bug).</summary>
    public static bool IsS3Failure(Exception e) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException;

    /// <summary>Failures about one object that leave the rest of the bucket readable (a key deleted meanwhile, an object-level ACL).</summary>
    public static bool IsAboutOneObject(Exception e) => IsNotFound(e) && !IsNoSuchBucket(e) || IsPreconditionFailed(e) || IsArchived(e)
        || e is AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden, ErrorCode: "AccessDenied" };

    /// <summary>The cause, for "s3 source LOCATION: CAUSE".</summary>
    public static string Describe(Exception e, string bucket, string endpoint) => e switch
    {
        _ when IsNoSuchBucket(e) => $"bucket '{bucket}' does not exist (HTTP 404 NoSuchBucket)",
        AmazonS3Exception { ErrorCode: "InvalidAccessKeyId" or "SignatureDoesNotMatch" } s =>
            $"the credentials were refused (HTTP {(int)s.StatusCode} {s.ErrorCode}): check the access key id and secret access key",
        AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden } s =>
            $"access denied (HTTP 403 {s.ErrorCode}): these credentials may not read bucket '{bucket}'",
        _ when IsArchived(e) => "the object is in an archive storage class and must be retrieved (restored) first",
        AmazonServiceException s when string.IsNullOrEmpty(s.ErrorCode) => $"HTTP {(int)s.StatusCode} from {endpoint}",
        AmazonServiceException s => $"{s.ErrorCode} (HTTP {(int)s.StatusCode}): {s.Message}",
        _ when Root(e) is SocketException or HttpRequestException => $"cannot reach {endpoint} ({Root(e).Message})",
        _ => e.Message,
    };

    private static Exception Root(Exception e)
    {
        // The SDK wraps connection failures (AmazonClientException → HttpRequestException → SocketException): name the innermost network cause.
        Exception current = e;
        while (current.InnerException is { } inner)
        {
            if (current is SocketException) break;
            current = inner;
        }
        return current is SocketException || current is HttpRequestException ? current : e;
    }
}
