using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Offsite.Core.Errors;
using Offsite.Core.Storage;

namespace Offsite.Storage.S3;

/// <summary>Classifies SDK failures into the storage contract's exceptions (never including credentials).</summary>
internal static class S3Errors
{
    public static bool IsNotFound(AmazonS3Exception e) =>
        e.StatusCode == HttpStatusCode.NotFound || e.ErrorCode is "NoSuchKey" or "NotFound";

    public static bool IsPreconditionFailed(AmazonS3Exception e) =>
        e.StatusCode == HttpStatusCode.PreconditionFailed || e.ErrorCode == "PreconditionFailed";

    public static bool IsInvalidRange(AmazonS3Exception e) =>
        e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable || e.ErrorCode == "InvalidRange";

    /// <summary>GET of an object in GLACIER, DEEP_ARCHIVE or an Intelligent-Tiering archive tier that is not retrieved: 403 InvalidObjectState.</summary>
    public static bool IsArchived(AmazonS3Exception e) => e.ErrorCode == "InvalidObjectState";

    /// <summary>POST ?restore while an earlier retrieval of the object is still running: 409 RestoreAlreadyInProgress.</summary>
    public static bool IsRestoreInProgress(AmazonS3Exception e) => e.ErrorCode == "RestoreAlreadyInProgress";

    public static bool IsConditionalConflict(AmazonS3Exception e) =>
        e.StatusCode == HttpStatusCode.Conflict && e.ErrorCode == "ConditionalRequestConflict";

    /// <summary>Failures that become storage exceptions (everything the SDK and the network throw, but not cancellation).</summary>
    public static bool ShouldWrap(Exception e) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TlsHandshakeException && e is not StorageException;

    /// <summary>Wraps a failure of <paramref name="operation"/> on <paramref name="key"/>; cancellation passes through unchanged.</summary>
    /// <param name="bucket">the bucket, named when it does not exist</param>
    public static Exception Wrap(string operation, string key, Exception e, bool objectLock = false, string? bucket = null) => e switch
    {
        // Before IsNotFound: a missing bucket is not a missing object, and "object not found: keys/…" sent users to `init` in circles.
        AmazonS3Exception s3 when s3.ErrorCode == "NoSuchBucket" => new OffsiteException(ErrorKind.RepositoryNotFound,
            $"bucket '{bucket ?? "?"}' does not exist: create it with `offsite bucket setup` (same -r and credentials; see docs/s3.md), then run `offsite init`"),
        _ when Find<TlsHandshakeException>(e) is { } tls =>
            new StorageException($"S3 {operation} {key}: {tls.Message}; if the server speaks plain HTTP, give the repository as s3:http://HOST:PORT/BUCKET (without a scheme, https is assumed)", e),
        AmazonS3Exception s3 when objectLock && s3.StatusCode == HttpStatusCode.BadRequest =>
            new StorageException($"S3 {operation} {key}: {Describe(s3)} (Object Lock retention was requested: is Object Lock enabled on the bucket? see `offsite bucket setup`)", e),
        OperationCanceledException => e,
        StorageException => e,
        AmazonS3Exception s3 when IsNotFound(s3) => new ObjectNotFoundException(key, e),
        AmazonServiceException s => new StorageException($"S3 {operation} {key}: {Describe(s)}", e),
        AmazonClientException or HttpRequestException or IOException => new StorageException($"S3 {operation} {key}: {WithCause(e)}", e),
        _ => e,
    };

    private static string Describe(AmazonServiceException e)
    {
        string code = string.IsNullOrEmpty(e.ErrorCode) ? e.StatusCode.ToString() : e.ErrorCode;
        string hint = code switch
        {
            // The request was signed with a key the server computes a different signature for: the secret is wrong.
            "SignatureDoesNotMatch" => ": the secret access key is wrong (check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key)",
            "InvalidAccessKeyId" => ": the server does not know this access key id (check AWS_ACCESS_KEY_ID or the profile)",
            _ when e.StatusCode == HttpStatusCode.Forbidden => " (the credentials are not allowed to do this)",
            _ => "",
        };
        string detail = string.IsNullOrEmpty(e.Message) ? "" : $": {e.Message}";
        return hint.StartsWith(':') ? $"{code} (HTTP {(int)e.StatusCode}){hint}" : $"{code} (HTTP {(int)e.StatusCode}){hint}{detail}";
    }

    internal static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    /// <summary>The message, and the innermost cause's when the SDK says "see inner exception".</summary>
    private static string WithCause(Exception e)
    {
        var inner = Innermost(e);
        return ReferenceEquals(inner, e) || e.Message.Contains(inner.Message, StringComparison.Ordinal) ? e.Message : $"{e.Message.TrimEnd('.')}: {inner.Message}";
    }

    /// <summary>The first exception of type <typeparamref name="T"/> in the chain of inner exceptions, or null.</summary>
    internal static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T found) return found;
        }
        return null;
    }
}
