using Amazon.S3;
using Amazon.S3.Model;
using Offsite.Core.Storage;

namespace Offsite.Storage.S3;

/// <summary>
/// Archive storage classes: HEAD tells an object's class (<c>x-amz-storage-class</c>, absent for
/// STANDARD) and retrieval state (<c>x-amz-restore</c>: <c>ongoing-request="true"</c> while running,
/// <c>ongoing-request="false", expiry-date="…"</c> once a temporary copy is readable); POST <c>?restore</c>
/// (RestoreObject) asks for a copy: 202 started, 200 already retrieved, 409 RestoreAlreadyInProgress.
/// </summary>
public sealed partial class S3Storage : IArchiveStorage
{
    /// <summary>Classes whose objects a GET cannot read before a retrieval (GLACIER_IR is read directly).</summary>
    public static bool NeedsRetrieval(string storageClass) =>
        storageClass is "GLACIER" or "DEEP_ARCHIVE";

    public async Task<ArchiveInfo> GetArchiveStatusAsync(string key, CancellationToken cancellationToken)
    {
        var request = new GetObjectMetadataRequest { BucketName = Options.Bucket, Key = FullKey(key) };
        GetObjectMetadataResponse response;
        try
        {
            response = await _client.GetObjectMetadataAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw S3Errors.Wrap("HEAD", key, e, bucket: Options.Bucket);
        }
        string storageClass = response.StorageClass?.Value is { Length: > 0 } c ? c : "STANDARD";
        // Intelligent-Tiering's opt-in archive tiers report their state in x-amz-archive-status.
        bool archived = NeedsRetrieval(storageClass) || response.ArchiveStatus?.Value is { Length: > 0 };
        if (!archived)
        {
            return new ArchiveInfo(ArchiveState.Readable, storageClass);
        }
        if (response.RestoreInProgress == true)
        {
            return new ArchiveInfo(ArchiveState.Retrieving, storageClass);
        }
        if (response.RestoreExpiration is { } until)
        {
            return new ArchiveInfo(ArchiveState.Retrieved, storageClass, new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc)));
        }
        return new ArchiveInfo(ArchiveState.Archived, storageClass);
    }

    public async Task<ArchiveState> RequestRetrievalAsync(string key, int days, RetrievalTier tier, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var request = new RestoreObjectRequest
        {
            BucketName = Options.Bucket,
            Key = FullKey(key),
            Days = days,
            Tier = tier switch
            {
                RetrievalTier.Expedited => GlacierJobTier.Expedited,
                RetrievalTier.Bulk => GlacierJobTier.Bulk,
                _ => GlacierJobTier.Standard,
            },
        };
        try
        {
            var response = await _client.RestoreObjectAsync(request, cancellationToken).ConfigureAwait(false);
            // 202 Accepted: a retrieval started. 200 OK: a retrieved copy exists (its expiry was extended).
            return response.HttpStatusCode == System.Net.HttpStatusCode.OK ? ArchiveState.Retrieved : ArchiveState.Retrieving;
        }
        catch (AmazonS3Exception e) when (S3Errors.IsRestoreInProgress(e))
        {
            return ArchiveState.Retrieving;
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw S3Errors.Wrap("POST ?restore", key, e, bucket: Options.Bucket);
        }
    }

    /// <summary>The class to name in an "archived" error: from a HEAD, or a generic word if that fails too.</summary>
    private async Task<string> ArchiveClassForErrorAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return (await GetArchiveStatusAsync(key, cancellationToken).ConfigureAwait(false)).StorageClass;
        }
        catch (StorageException)
        {
            return "an archive storage class";
        }
    }
}
