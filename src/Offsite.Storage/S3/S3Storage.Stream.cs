using Amazon.S3;
using Amazon.S3.Model;
using Offsite.Core.Storage;

namespace Offsite.Storage.S3;

public sealed partial class S3Storage
{
    /// <summary>
    /// The GET body as it arrives, not buffered whole: a restore holds a pack's plaintext, not also
    /// its download. A connection that breaks part-way is resumed (<see cref="S3BodyStream"/>).
    /// </summary>
    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var response = await GetResponseAsync(key, null, null, cancellationToken).ConfigureAwait(false);
        return new S3BodyStream(this, key, response);
    }

    /// <summary>GET with the request's errors mapped like every other read (not found, archived, wrapped).</summary>
    internal async Task<GetObjectResponse> GetResponseAsync(string key, ByteRange? range, string? etag, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = Options.Bucket, Key = FullKey(key), ByteRange = range, EtagToMatch = etag };
        try
        {
            return await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (S3Errors.IsArchived(e))
        {
            throw new ObjectArchivedException(key, await ArchiveClassForErrorAsync(key, cancellationToken).ConfigureAwait(false), e);
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw S3Errors.Wrap("GET", key, e, bucket: Options.Bucket);
        }
    }
}
