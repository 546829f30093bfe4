using Amazon.S3.Model;
using Offsite.Core.Storage;

namespace Offsite.Storage.S3;

/// <summary>
/// A GET body read as it arrives. The SDK retries a request until its headers arrive; when the
/// connection breaks while the body streams in (reset, I/O timeout, short read), the rest is fetched
/// with a ranged GET from where it broke, If-Match the first response's ETag so the bytes are of the
/// same object, with the backoff of whole reads and at most <see cref="S3Options.MaxErrorRetry"/>
/// times. A body that still ends short throws <see cref="StorageException"/>, never a silent end.
/// </summary>
internal sealed class S3BodyStream : Stream
{
    private readonly S3Storage _storage;
    private readonly string _key;
    /// <summary>The whole object's length (the first response's Content-Length), or -1 when not told.</summary>
    private readonly long _length;
    private readonly string? _etag;
    private GetObjectResponse _response;
    private long _position;
    private int _resumes;

    public S3BodyStream(S3Storage storage, string key, GetObjectResponse response)
    {
        _storage = storage;
        _key = key;
        _response = response;
        _length = response.Headers.ContentLength;
        _etag = string.IsNullOrEmpty(response.ETag) ? null : response.ETag;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            int n;
            Exception? broke = null;
            try
            {
                n = await _response.ResponseStream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                n = 0;
                broke = e;
            }
            if (broke is null && (n > 0 || buffer.IsEmpty || _length < 0 || _position >= _length))
            {
                _position += n;
                return n;
            }
            if (_length < 0 || _resumes >= _storage.Options.MaxErrorRetry)
            {
                throw broke is null
                    ? new StorageException($"S3 GET {_key}: connection ended after {_position} of {_length} bytes")
                    : new StorageException($"S3 GET {_key}: the connection broke after {_position} bytes of the body: {broke.Message}", broke);
            }
            await Task.Delay(S3Storage.Backoff(_resumes++), cancellationToken).ConfigureAwait(false);
            var next = await _storage.GetResponseAsync(_key, new ByteRange(_position, _length - 1), _etag, cancellationToken).ConfigureAwait(false);
            _response.Dispose();
            _response = next;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _response.Dispose();
        }
        base.Dispose(disposing);
    }
}
