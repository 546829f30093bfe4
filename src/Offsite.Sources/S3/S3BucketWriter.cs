using System.Net;
using System.Security.Cryptography;
using System.Threading.Channels;
using Amazon.S3;
using Amazon.S3.Model;
using Offsite.Storage.S3;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Trees;

namespace Offsite.Sources.S3;

/// <summary>What a restore does with a key that already exists in the target.</summary>
public enum S3ExistingKeys
{
    /// <summary>Nothing is uploaded when any key exists (checked before the first upload).</summary>
    Refuse,
    /// <summary>Existing keys are left as they are; the others are uploaded.</summary>
    OnlyMissing,
    /// <summary>Every key is uploaded, replacing what is there.</summary>
    Overwrite,
}

/// <summary>One file of a snapshot and the key it gets.</summary>
public sealed record S3Upload(string Key, Node File);

/// <summary>What a restore into a bucket did. Errors name each key that could not be uploaded.</summary>
public sealed record S3RestoreOutcome(long Uploaded, long Skipped, long Bytes, long NoncurrentLeftOut, IReadOnlyList<string> Errors);

/// <summary>
/// Uploads files of a snapshot into a bucket with their object metadata: small ones in one PUT
/// (Content-MD5 checked by the server), large ones in parts. A few uploads run at once; each holds
/// at most one part in memory. Keys that must not be replaced are written with
/// <c>If-None-Match: *</c>, so a key created meanwhile is not overwritten either.
/// </summary>
public sealed class S3BucketWriter
{
    private readonly IAmazonS3 _client;
    private readonly S3BucketSettings _settings;
    private readonly S3ExistingKeys _existing;

    public S3BucketWriter(IAmazonS3 client, S3BucketSettings settings, S3ExistingKeys existing)
    {
        _client = client;
        _settings = settings;
        _existing = existing;
    }

    private string Bucket => _settings.Options.Bucket;

    /// <summary>Target errors: a missing bucket is NotFound (exit 10), anything else I/O (exit 6).</summary>
    private OffsiteException TargetFailed(string what, Exception e) => new(
        S3Failure.IsNoSuchBucket(e) ? ErrorKind.NotFound : ErrorKind.Io,
        $"restore target {_settings.Location}: {what}{S3Failure.Describe(e, Bucket, _settings.Endpoint)}", e);

    /// <summary>
    /// Proves the bucket can be reached and tells whether anything lives below the prefix (when
    /// nothing does, no key can exist and the check before uploading is skipped).
    /// </summary>
    public async Task<bool> TargetIsEmptyAsync(CancellationToken ct)
    {
        try
        {
            var page = await _client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = Bucket, Prefix = _settings.Options.NormalizedPrefix, MaxKeys = 1,
            }, ct).ConfigureAwait(false);
            return (page.S3Objects?.Count ?? 0) == 0;
        }
        catch (Exception e) when (S3Failure.IsS3Failure(e))
        {
            throw TargetFailed("", e);
        }
    }

    /// <summary>Keys of <paramref name="uploads"/> that exist in the target (HEAD, a few at a time), at most <paramref name="limit"/>.</summary>
    public async Task<(long Count, List<string> First)> FindExistingAsync(IAsyncEnumerable<S3Upload> uploads, int limit, CancellationToken ct)
    {
        long count = 0;
        var first = new List<string>();
        var gate = new Lock();
        try
        {
            await Parallel.ForEachAsync(uploads, new ParallelOptions { MaxDegreeOfParallelism = _settings.Concurrency, CancellationToken = ct }, async (u, c) =>
            {
                if (!await ExistsAsync(u.Key, c).ConfigureAwait(false)) return;
                lock (gate)
                {
                    count++;
                    if (first.Count < limit) first.Add(u.Key);
                }
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Failure.IsS3Failure(e))
        {
            throw TargetFailed("HEAD: ", e);
        }
        first.Sort(StringComparer.Ordinal);
        return (count, first);
    }

    private async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        try
        {
            using var slash = LeadingSlashKey.For(Bucket, key);
            await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, ct).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (S3Failure.IsNotFound(e) && !S3Failure.IsNoSuchBucket(e))
        {
            return false;
        }
    }

    /// <summary>Uploads every file, <see cref="S3BucketSettings.Concurrency"/> at once, each read through <paramref name="loader"/>.</summary>
    public async Task<S3RestoreOutcome> UploadAsync(IAsyncEnumerable<S3Upload> uploads, BlobLoader loader, CancellationToken ct)
    {
        var queue = Channel.CreateBounded<S3Upload>(_settings.Concurrency * 2);
        long uploaded = 0, skipped = 0, bytes = 0;
        var errors = new List<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var workers = Enumerable.Range(0, _settings.Concurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var u in queue.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                var result = await UploadOneAsync(u, loader, stop.Token).ConfigureAwait(false);
                switch (result.Kind)
                {
                    case ResultKind.Uploaded:
                        Interlocked.Increment(ref uploaded);
                        Interlocked.Add(ref bytes, u.File.Size);
                        break;
                    case ResultKind.Exists when _existing == S3ExistingKeys.OnlyMissing:
                        Interlocked.Increment(ref skipped);
                        break;
                    case ResultKind.Exists:
                        lock (errors) errors.Add($"{u.Key}: created in the target while the restore ran; not replaced");
                        break;
                    default:
                        lock (errors) errors.Add($"{u.Key}: {result.Why}");
                        break;
                }
            }
        }, stop.Token)).ToList();
        try
        {
            await foreach (var u in uploads.WithCancellation(stop.Token).ConfigureAwait(false))
            {
                await queue.Writer.WriteAsync(u, stop.Token).ConfigureAwait(false);
            }
            queue.Writer.Complete();
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch
        {
            // One worker failing (a network failure after retries) stops the others before the error is reported.
            await stop.CancelAsync().ConfigureAwait(false);
            queue.Writer.TryComplete();
            await Task.WhenAll(workers.Select(w => w.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default))).ConfigureAwait(false);
            if (workers.FirstOrDefault(w => w.IsFaulted)?.Exception?.InnerException is { } failure and not OperationCanceledException)
            {
                throw failure;
            }
            throw;
        }
        errors.Sort(StringComparer.Ordinal);
        return new S3RestoreOutcome(uploaded, skipped, bytes, 0, errors);
    }

    private enum ResultKind { Uploaded, Exists, Refused }

    private readonly record struct Result(ResultKind Kind, string? Why = null)
    {
        public static Result Uploaded => new(ResultKind.Uploaded);
        public static Result Exists => new(ResultKind.Exists);
        public static Result Refused(string why) => new(ResultKind.Refused, why);
    }

    private async Task<Result> UploadOneAsync(S3Upload u, BlobLoader loader, CancellationToken ct)
    {
        // Covers every request below: HEAD, PUT, the multipart calls and an abort.
        using var slash = LeadingSlashKey.For(Bucket, u.Key);
        try
        {
            if (u.File.Size <= _settings.PartSize)
            {
                return await PutAsync(u, loader, ct).ConfigureAwait(false);
            }
            if (_existing != S3ExistingKeys.Overwrite && await ExistsAsync(u.Key, ct).ConfigureAwait(false))
            {
                return Result.Exists; // no parts uploaded for nothing
            }
            return await MultipartAsync(u, loader, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (S3Failure.IsPreconditionFailed(e))
        {
            return Result.Exists;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest && !IsCredentialProblem(e))
        {
            return Result.Refused(S3Failure.Describe(e, Bucket, _settings.Endpoint));
        }
        catch (BlobDamagedException e)
        {
            return Result.Refused($"not restored: {e.Message}");
        }
        catch (Exception e) when (S3Failure.IsS3Failure(e))
        {
            throw TargetFailed($"PUT {u.Key}: ", e);
        }
    }

    private static bool IsCredentialProblem(AmazonS3Exception e) => e.ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch";

    private async Task<Result> PutAsync(S3Upload u, BlobLoader loader, CancellationToken ct)
    {
        using var body = new MemoryStream((int)u.File.Size);
        await ContentReader.CopyToAsync(loader, u.File.Content ?? [], [body], ct).ConfigureAwait(false);
        body.Position = 0;
        var request = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = u.Key,
            InputStream = body,
            AutoCloseStream = false,
            MD5Digest = Convert.ToBase64String(MD5.HashData(body.GetBuffer().AsSpan(0, (int)body.Length))),
            IfNoneMatch = _existing == S3ExistingKeys.Overwrite ? null : "*",
            // Plain signed bodies: with aws-chunked, RGW keeps "Content-Encoding: aws-chunked" on the object.
            UseChunkEncoding = false,
        };
        var meta = u.File.Object;
        request.ContentType = meta?.ContentType;
        Apply(meta, request.Headers, request.Metadata);
        if (meta?.WebsiteRedirect is { } redirect) request.WebsiteRedirectLocation = redirect;
        await _client.PutObjectAsync(request, ct).ConfigureAwait(false);
        return Result.Uploaded;
    }

    private async Task<Result> MultipartAsync(S3Upload u, BlobLoader loader, CancellationToken ct)
    {
        var meta = u.File.Object;
        var initiate = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = u.Key, ContentType = meta?.ContentType };
        Apply(meta, initiate.Headers, initiate.Metadata);
        if (meta?.WebsiteRedirect is { } redirect) initiate.WebsiteRedirectLocation = redirect;
        string uploadId = (await _client.InitiateMultipartUploadAsync(initiate, ct).ConfigureAwait(false)).UploadId;
        try
        {
            await using var parts = new PartUploadStream(_client, Bucket, u.Key, uploadId, _settings.PartSize);
            await ContentReader.CopyToAsync(loader, u.File.Content ?? [], [parts], ct).ConfigureAwait(false);
            await parts.FinishAsync(ct).ConfigureAwait(false);
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Bucket,
                Key = u.Key,
                UploadId = uploadId,
                PartETags = parts.Parts,
                IfNoneMatch = _existing == S3ExistingKeys.Overwrite ? null : "*",
            }, ct).ConfigureAwait(false);
            return Result.Uploaded;
        }
        catch
        {
            await AbortAsync(u.Key, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Parts of an unfinished upload are billed until aborted; a failed abort must not hide why the upload failed.</summary>
    private async Task AbortAsync(string key, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = uploadId }, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (S3Failure.IsS3Failure(e))
        {
            _abortFailures.Add($"{key}: multipart upload {uploadId} could not be aborted ({e.Message}); a lifecycle rule for incomplete uploads removes it");
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentBag<string> _abortFailures = [];

    /// <summary>Unfinished multipart uploads left behind (warnings for the report).</summary>
    public IReadOnlyCollection<string> AbortFailures => _abortFailures;

    private static void Apply(ObjectMetadata? meta, HeadersCollection headers, MetadataCollection metadata)
    {
        if (meta is null) return;
        if (meta.CacheControl is { } cc) headers.CacheControl = cc;
        if (meta.ContentEncoding is { } ce) headers.ContentEncoding = ce;
        if (meta.ContentDisposition is { } cd) headers.ContentDisposition = cd;
        if (meta.ContentLanguage is { } cl) headers["Content-Language"] = cl;
        if (meta.Expires is { } ex) headers["Expires"] = ex;
        foreach (var (name, value) in meta.UserMetadata ?? [])
        {
            metadata.Add(name, value);
        }
    }
}
