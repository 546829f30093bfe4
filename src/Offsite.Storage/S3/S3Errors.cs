using System.Net;
using Amazon.Runtime;
using Amazon.S3;
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
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException && e is not StorageException;

    /// <summary>Wraps a failure of <paramref name="operation"/> on <paramref name="key"/>; cancellation passes through unchanged.</summary>
    public static Exception Wrap(string operation, string key, Exception e, bool objectLock = false) => e switch
    {
        AmazonS3Exception s3 when objectLock && s3.StatusCode == HttpStatusCode.BadRequest =>
            new StorageException($"S3 {operation} {key}: {Describe(s3)} (Object Lock retention was requested: is Object Lock enabled on the bucket? see `offsite bucket setup`)", e),
        OperationCanceledException => e,
        StorageException => e,
        AmazonS3Exception s3 when IsNotFound(s3) => new ObjectNotFoundException(key, e),
        AmazonServiceException s => new StorageException($"S3 {operation} {key}: {Describe(s)}", e),
        AmazonClientException or HttpRequestException or IOException => new StorageException($"S3 {operation} {key}: {e.Message}", e),
        _ => e,
    };

    private static string Describe(AmazonServiceException e)
    {
        string code = string.IsNullOrEmpty(e.ErrorCode) ? e.StatusCode.ToString() : e.ErrorCode;
        string hint = e.StatusCode == HttpStatusCode.Forbidden ? " (the credentials are not allowed to do this)" : "";
        return $"{code} (HTTP {(int)e.StatusCode}){hint}: {e.Message}";
    }
}
