using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Offsite.Core.Storage;

namespace Offsite.Storage.S3;

/// <summary>
/// Storage in an S3-compatible bucket (AWS, Ceph RGW, MinIO, R2, GCS interop). Every put carries
/// Content-MD5 so the server rejects a corrupted upload; reads are authenticated above this layer
/// by the age MAC and the content-addressed object names. Retries (throttling, 5xx, connection
/// resets) are the SDK's standard mode: exponential backoff with jitter.
/// </summary>
public sealed partial class S3Storage : IStorage, IObjectRetention
{
    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly string _prefix;
    private readonly S3Uploader _uploader;

    public S3Storage(S3Options options) : this(S3ClientFactory.Create(options), options, ownsClient: true)
    {
    }

    public S3Storage(IAmazonS3 client, S3Options options, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ObjectLock != ObjectLockKind.None && options.LockDays < 1)
        {
            throw new ArgumentException("Object Lock needs a retention of at least one day", nameof(options));
        }
        _client = client;
        _ownsClient = ownsClient;
        Options = options;
        _prefix = options.NormalizedPrefix;
        _uploader = new S3Uploader(client, options);
    }

    public S3Options Options { get; }

    public string Location => Options.Location;

    private string FullKey(string key)
    {
        if (string.IsNullOrEmpty(key) || key.StartsWith('/') || key.Split('/').Any(p => p is "" or "." or ".."))
        {
            throw new ArgumentException($"invalid object key: '{key}'", nameof(key));
        }
        return _prefix + key;
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        string full = FullKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await _uploader.UploadAsync(full, data, ifNoneMatch: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw S3Errors.Wrap("PUT", key, e, Options.ObjectLock != ObjectLockKind.None, bucket: Options.Bucket);
        }
    }

    /// <summary>A data pack: in <see cref="S3Options.DataPackStorageClass"/>, tagged for the transition rule, when a class is set.</summary>
    public async Task PutDataPackAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        string full = FullKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await _uploader.UploadAsync(full, data, ifNoneMatch: false, cancellationToken, dataPack: true).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw S3Errors.Wrap("PUT", key, e, Options.ObjectLock != ObjectLockKind.None, bucket: Options.Bucket);
        }
    }

    public Task PutAsync(string key, Stream data, CancellationToken cancellationToken) => PutStreamAsync(key, data, dataPack: false, cancellationToken);

    public Task PutDataPackAsync(string key, Stream data, CancellationToken cancellationToken) => PutStreamAsync(key, data, dataPack: true, cancellationToken);

    private async Task PutStreamAsync(string key, Stream data, bool dataPack, CancellationToken cancellationToken)
    {
        string full = FullKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await _uploader.UploadAsync(full, data, cancellationToken, dataPack).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw S3Errors.Wrap("PUT", key, e, Options.ObjectLock != ObjectLockKind.None, bucket: Options.Bucket);
        }
    }

    public async Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        string full = FullKey(key);
        for (int attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await _uploader.UploadAsync(full, data, ifNoneMatch: true, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception e) when (S3Errors.IsPreconditionFailed(e))
            {
                return false;
            }
            catch (AmazonS3Exception e) when (S3Errors.IsConditionalConflict(e) && attempt < 5)
            {
                // AWS answers 409 when a concurrent conditional write is in flight: try again.
                await Task.Delay(TimeSpan.FromMilliseconds(100 * (attempt + 1) + Random.Shared.Next(100)), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (S3Errors.ShouldWrap(e))
            {
                throw S3Errors.Wrap("PUT (If-None-Match)", key, e, Options.ObjectLock != ObjectLockKind.None, bucket: Options.Bucket);
            }
        }
    }

    public Task<byte[]> GetAsync(string key, CancellationToken cancellationToken) =>
        ReadAsync(key, null, cancellationToken);

    public async Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return await HeadAsync(key, cancellationToken).ConfigureAwait(false) is null ? throw new ObjectNotFoundException(key) : [];
        }
        try
        {
            return await ReadAsync(key, new ByteRange(offset, offset + length - 1), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            throw;
        }
        catch (StorageException e) when (e.InnerException is AmazonS3Exception s3 && S3Errors.IsInvalidRange(s3))
        {
            return []; // the range starts at or after the end of an existing object
        }
    }

    private async Task<byte[]> ReadAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await ReadOnceAsync(key, range, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException e) when (e is not ObjectNotFoundException && IsBodyTransportFailure(e) && attempt < Options.MaxErrorRetry)
            {
                // The SDK retries a request until its response headers arrive; a connection that breaks while the body
                // streams in (reset, I/O timeout, short read) is retried here, with the same backoff and jitter.
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsBodyTransportFailure(StorageException e) =>
        e.Data.Contains(BodyFailureMarker);

    private const string BodyFailureMarker = "offsite.s3.body-transport-failure";

    /// <summary>Full jitter over 100 ms · 2^attempt, at most 20 s (the SDK's standard mode).</summary>
    internal static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Math.Min(20_000, 100 * Math.Pow(2, attempt)));

    private async Task<byte[]> ReadOnceAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        using var response = await GetResponseAsync(key, range ?? WholeObject, null, cancellationToken).ConfigureAwait(false);
        long expected = response.Headers.ContentLength;
        var buffer = new MemoryStream(expected is > 0 and < int.MaxValue ? (int)expected : 0);
        await using (response.ResponseStream.ConfigureAwait(false))
        {
            try
            {
                await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new StorageException($"S3 GET {key}: the connection broke after {buffer.Length} bytes of the body: {e.Message}", e) { Data = { [BodyFailureMarker] = true } };
            }
        }
        if (expected >= 0 && buffer.Length != expected)
        {
            throw new StorageException($"S3 GET {key}: connection ended after {buffer.Length} of {expected} bytes") { Data = { [BodyFailureMarker] = true } };
        }
        // The whole buffer when Content-Length sized it exactly: no second copy of a 16 MiB pack.
        return buffer.Capacity == buffer.Length ? buffer.GetBuffer() : buffer.ToArray();
    }

    public async Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        var request = new GetObjectMetadataRequest { BucketName = Options.Bucket, Key = FullKey(key) };
        try
        {
            var response = await _client.GetObjectMetadataAsync(request, cancellationToken).ConfigureAwait(false);
            return new ObjectInfo(key, response.Headers.ContentLength, ToOffset(response.LastModified));
        }
        catch (AmazonS3Exception e) when (S3Errors.IsNotFound(e))
        {
            return null;
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw S3Errors.Wrap("HEAD", key, e, bucket: Options.Bucket);
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Options.Bucket, Prefix = _prefix + prefix };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (S3Errors.ShouldWrap(e))
            {
                throw S3Errors.Wrap("LIST", prefix + "*", e, bucket: Options.Bucket);
            }
            foreach (var o in page.S3Objects ?? [])
            {
                yield return new ObjectInfo(o.Key[_prefix.Length..], o.Size ?? 0, ToOffset(o.LastModified));
            }
            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var request = new DeleteObjectRequest { BucketName = Options.Bucket, Key = FullKey(key) };
        try
        {
            await _client.DeleteObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (S3Errors.IsNotFound(e))
        {
            // Deleting a missing object is not an error (most servers answer 204 anyway).
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw S3Errors.Wrap("DELETE", key, e, bucket: Options.Bucket);
        }
    }

    /// <summary>Retention is read per object (HEAD), so it works whether it came from the request or the bucket default.</summary>
    public bool RetentionSupported => true;

    public async Task<DateTimeOffset?> GetRetainUntilAsync(string key, CancellationToken cancellationToken)
    {
        var request = new GetObjectMetadataRequest { BucketName = Options.Bucket, Key = FullKey(key) };
        try
        {
            var response = await _client.GetObjectMetadataAsync(request, cancellationToken).ConfigureAwait(false);
            return response.ObjectLockRetainUntilDate is { } until ? ToOffset(until) : null;
        }
        catch (AmazonS3Exception e) when (S3Errors.IsNotFound(e))
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw S3Errors.Wrap("HEAD", key, e, bucket: Options.Bucket);
        }
    }

    public async Task ExtendRetentionAsync(string key, DateTimeOffset until, CancellationToken cancellationToken)
    {
        try
        {
            var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Options.Bucket, Key = FullKey(key) }, cancellationToken).ConfigureAwait(false);
            // Keep the object's own mode; an object without one gets the configured mode (compliance by default).
            var mode = head.ObjectLockMode is { } m && !string.IsNullOrEmpty(m.Value) ? new ObjectLockRetentionMode(m.Value)
                : new ObjectLockRetentionMode(Options.ObjectLock == ObjectLockKind.Governance ? "GOVERNANCE" : "COMPLIANCE");
            await _client.PutObjectRetentionAsync(new PutObjectRetentionRequest
            {
                BucketName = Options.Bucket,
                Key = FullKey(key),
                Retention = new ObjectLockRetention { Mode = mode, RetainUntilDate = until.UtcDateTime },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (S3Errors.IsNotFound(e))
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw S3Errors.Wrap("PUT retention", key, e, bucket: Options.Bucket);
        }
    }

    private static DateTimeOffset ToOffset(DateTime? t) =>
        t is { } v ? new DateTimeOffset(v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : v.ToUniversalTime()) : DateTimeOffset.MinValue;

    public ValueTask DisposeAsync()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
