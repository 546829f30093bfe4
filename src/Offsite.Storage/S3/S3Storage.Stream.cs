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
        var response = await GetResponseAsync(key, WholeObject, null, cancellationToken).ConfigureAwait(false);
        return new S3BodyStream(this, key, response);
    }

    /// <summary>
    /// "bytes=0-": the whole object, asked for as a range. The SDK checks an unranged GET's body against
    /// an MD5 ETag with a managed MD5 that allocated a small array per 64-byte block: 636 MB of garbage
    /// and a second pass over every byte of a 480 MB restore. The bytes are authenticated by age and
    /// named by their hash anyway; the body's length is still checked (<see cref="S3BodyStream"/>). An empty
    /// object, which has no byte 0 (416), is read unranged.
    /// </summary>
    internal static readonly ByteRange WholeObject = new("bytes=0-");

    /// <summary>GET with the request's errors mapped like every other read (not found, archived, wrapped).</summary>
    internal async Task<GetObjectResponse> GetResponseAsync(string key, ByteRange? range, string? etag, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = Options.Bucket, Key = FullKey(key), ByteRange = range, EtagToMatch = etag };
        try
        {
            return await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (ReferenceEquals(range, WholeObject) && e.StatusCode == System.Net.HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return await GetResponseAsync(key, null, etag, cancellationToken).ConfigureAwait(false); // an empty object has no byte 0
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
