using Microsoft.Extensions.Logging;
using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace Offsite.Storage.S3;

/// <summary>
/// Uploads one object, from memory or from a stream: a single PUT up to the multipart threshold, otherwise a multipart
/// upload whose parts go up in parallel and which is aborted if any part fails (no orphaned parts
/// are left to bill). Every request carries Content-MD5 and, when configured, Object Lock retention.
/// </summary>
internal sealed class S3Uploader(IAmazonS3 client, S3Options options)
{
    /// <summary>
    /// Part buffers, one per part in flight. Not <c>ArrayPool.Shared</c>: it keeps large arrays per thread
    /// and per core, and part-size buffers rented from async code added up (docs/design.md, "Memory").
    /// </summary>
    private readonly ArrayPool<byte> _partBuffers = ArrayPool<byte>.Create(options.PartSize, Math.Max(1, options.PartConcurrency));

    /// <param name="dataPack">a data pack: stored in <see cref="S3Options.DataPackStorageClass"/> and tagged, when one is set</param>
    public Task UploadAsync(string fullKey, ReadOnlyMemory<byte> data, bool ifNoneMatch, CancellationToken cancellationToken, bool dataPack = false) =>
        data.Length > options.MultipartThreshold && !ifNoneMatch
            ? UploadMultipartAsync(fullKey, data.Length, (offset, part) => data.Span.Slice((int)offset, part.Length).CopyTo(part.Span), dataPack, cancellationToken)
            : PutSingleAsync(fullKey, ReadOnlyStream(data), Md5(data.Span), ifNoneMatch, dataPack, cancellationToken);

    /// <summary>
    /// Uploads the rest of a seekable stream (a pack sealed into a temporary file) without holding it in
    /// memory: a single PUT reads it twice (Content-MD5, then the body; the SDK rewinds it for a retry);
    /// above the multipart threshold, parts are read one by one into pooled part buffers.
    /// </summary>
    public async Task UploadAsync(string fullKey, Stream data, CancellationToken cancellationToken, bool dataPack = false)
    {
        long start = data.Position;
        long length = data.Length - start;
        if (length > options.MultipartThreshold)
        {
            await UploadMultipartAsync(fullKey, length, (offset, part) =>
            {
                lock (data)
                {
                    data.Position = start + offset;
                    data.ReadExactly(part.Span);
                }
            }, dataPack, cancellationToken).ConfigureAwait(false);
            return;
        }
#pragma warning disable CA5351 // MD5 here is S3's Content-MD5 transport integrity check, not a security primitive
        string md5 = Convert.ToBase64String(await MD5.HashDataAsync(data, cancellationToken).ConfigureAwait(false));
#pragma warning restore CA5351
        data.Position = start;
        await PutSingleAsync(fullKey, data, md5, ifNoneMatch: false, dataPack, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The class for this upload, or null for the bucket default (STANDARD).</summary>
    private string? ClassFor(bool dataPack) => dataPack ? options.DataPackStorageClass : null;

    private static List<Tag> DataPackTags()
    {
        string[] kv = S3Options.DataPackTag.Split('=');
        return [new Tag { Key = kv[0], Value = kv[1] }];
    }

    /// <param name="body">read from its position; left open (the caller owns it)</param>
    private async Task PutSingleAsync(string fullKey, Stream body, string md5, bool ifNoneMatch, bool dataPack, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = options.Bucket,
            Key = fullKey,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = "application/octet-stream",
            MD5Digest = md5,
            UseChunkEncoding = false,
        };
        if (options.BucketOwnerFullControl)
        {
            request.CannedACL = S3CannedACL.BucketOwnerFullControl;
        }
        if (ifNoneMatch)
        {
            request.IfNoneMatch = "*";
        }
        if (ClassFor(dataPack) is { } storageClass)
        {
            request.StorageClass = new S3StorageClass(storageClass);
            request.TagSet = DataPackTags();
        }
        if (RetainUntil() is { } until)
        {
            request.ObjectLockMode = LockMode();
            request.ObjectLockRetainUntilDate = until;
        }
        await client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="readPart">fills a part buffer with the bytes at an offset of the object; called from several threads</param>
    private async Task UploadMultipartAsync(string fullKey, long length, Action<long, Memory<byte>> readPart, bool dataPack, CancellationToken cancellationToken)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = options.Bucket, Key = fullKey, ContentType = "application/octet-stream" };
        if (ClassFor(dataPack) is { } storageClass)
        {
            initiate.StorageClass = new S3StorageClass(storageClass);
            initiate.TagSet = DataPackTags();
        }
        if (options.BucketOwnerFullControl)
        {
            initiate.CannedACL = S3CannedACL.BucketOwnerFullControl;
        }
        if (RetainUntil() is { } until)
        {
            initiate.ObjectLockMode = LockMode();
            initiate.ObjectLockRetainUntilDate = until;
        }
        var started = await client.InitiateMultipartUploadAsync(initiate, cancellationToken).ConfigureAwait(false);
        string uploadId = started.UploadId;
        bool completed = false;
        try
        {
            int partSize = options.PartSize;
            int count = (int)((length + partSize - 1) / partSize);
            var etags = new PartETag[count];
            await Parallel.ForEachAsync(Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.PartConcurrency), CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    long offset = (long)i * partSize;
                    int size = (int)Math.Min(partSize, length - offset);
                    byte[] buffer = _partBuffers.Rent(size);
                    try
                    {
                        var part = buffer.AsMemory(0, size);
                        readPart(offset, part);
                        var response = await client.UploadPartAsync(new UploadPartRequest
                        {
                            BucketName = options.Bucket,
                            Key = fullKey,
                            UploadId = uploadId,
                            PartNumber = i + 1,
                            InputStream = ReadOnlyStream(part),
                            PartSize = size,
                            MD5Digest = Md5(part.Span),
                            UseChunkEncoding = false,
                        }, ct).ConfigureAwait(false);
                        etags[i] = new PartETag(i + 1, response.ETag);
                    }
                    finally
                    {
                        _partBuffers.Return(buffer);
                    }
                }).ConfigureAwait(false);
            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = options.Bucket,
                Key = fullKey,
                UploadId = uploadId,
                PartETags = [.. etags],
            }, cancellationToken).ConfigureAwait(false);
            completed = true;
        }
        finally
        {
            if (!completed)
            {
                await AbortAsync(fullKey, uploadId).ConfigureAwait(false);
            }
        }
    }

    private async Task AbortAsync(string fullKey, string uploadId)
    {
        try
        {
            // Not cancellable on purpose: the abort must run even when the upload was cancelled.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = options.Bucket, Key = fullKey, UploadId = uploadId }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || S3Errors.ShouldWrap(e))
        {
            // The original failure matters more; a lifecycle rule (AbortIncompleteMultipartUpload) cleans up what is left.
            options.Logger.LogWarning("could not abort the multipart upload of {Key}: {Reason}", fullKey, e.Message);
        }
    }

    private DateTime? RetainUntil() =>
        options.ObjectLock == ObjectLockKind.None ? null : options.Time.GetUtcNow().UtcDateTime.AddDays(options.LockDays);

    private ObjectLockMode LockMode() =>
        options.ObjectLock == ObjectLockKind.Compliance ? ObjectLockMode.Compliance : ObjectLockMode.Governance;

    private static MemoryStream ReadOnlyStream(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out ArraySegment<byte> segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);

    private static string Md5(ReadOnlySpan<byte> data)
    {
#pragma warning disable CA5351 // MD5 here is S3's Content-MD5 transport integrity check, not a security primitive
        return Convert.ToBase64String(MD5.HashData(data));
#pragma warning restore CA5351
    }
}
