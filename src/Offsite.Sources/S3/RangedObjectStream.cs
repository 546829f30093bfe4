using System.Buffers;
using Amazon.S3.Model;
using Offsite.Storage.S3;

namespace Offsite.Sources.S3;

/// <summary>
/// A large object read as consecutive byte ranges, several in flight at once, handed out in order.
/// Each range is pinned to the listed version (or ETag), so a concurrent overwrite fails the read
/// instead of mixing two objects. Memory: <see cref="S3BucketSettings.RangeConcurrency"/> parts.
/// </summary>
internal sealed class RangedObjectStream : Stream
{
    private readonly Amazon.S3.IAmazonS3 _client;
    private readonly S3BucketSettings _settings;
    private readonly ListedObject _object;
    private readonly Func<Exception, ListedObject, Exception> _fail;
    private readonly CancellationTokenSource _stop;
    private readonly Queue<Task<byte[]>> _pending = new();
    private long _nextStart;
    private byte[]? _current;
    private int _currentLength;
    private int _currentOffset;

    public RangedObjectStream(Amazon.S3.IAmazonS3 client, S3BucketSettings settings, ListedObject o, Func<Exception, ListedObject, Exception> fail, CancellationToken cancellationToken)
    {
        _client = client;
        _settings = settings;
        _object = o;
        _fail = fail;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Fill();
    }

    /// <summary>A GET of the object as listed: its version, or its ETag (a changed object answers 412).</summary>
    public static GetObjectRequest Request(S3BucketSettings settings, ListedObject o) => new()
    {
        BucketName = settings.Options.Bucket,
        Key = o.Key,
        VersionId = o.VersionId,
        EtagToMatch = o.VersionId is null ? o.ETag : null,
    };

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _object.Size;
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_current is null || _currentOffset == _currentLength)
        {
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }
            if (_pending.Count == 0)
            {
                return 0;
            }
            _current = await _pending.Dequeue().WaitAsync(cancellationToken).ConfigureAwait(false);
            _currentLength = PartLength(_current);
            _currentOffset = 0;
            Fill();
        }
        int n = Math.Min(buffer.Length, _currentLength - _currentOffset);
        _current.AsMemory(_currentOffset, n).CopyTo(buffer);
        _currentOffset += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    // The part lengths are fixed by position: every part is PartSize except the last.
    private int _partsHandedOut;

    private int PartLength(byte[] _)
    {
        long start = (long)_partsHandedOut++ * _settings.PartSize;
        return (int)Math.Min(_settings.PartSize, _object.Size - start);
    }

    private void Fill()
    {
        while (_pending.Count < _settings.RangeConcurrency && _nextStart < _object.Size)
        {
            long start = _nextStart;
            int length = (int)Math.Min(_settings.PartSize, _object.Size - start);
            _nextStart += length;
            _pending.Enqueue(Task.Run(() => FetchAsync(start, length, _stop.Token)));
        }
    }

    private async Task<byte[]> FetchAsync(long start, int length, CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var request = Request(_settings, _object);
            request.ByteRange = new ByteRange(start, start + length - 1);
            using var slash = LeadingSlashKey.For(_settings.Options.Bucket, _object.Key);
            using var response = await _client.GetObjectAsync(request, ct).ConfigureAwait(false);
            if (response.ContentLength != length)
            {
                throw new IOException($"range {start}-{start + length - 1} of {_object.Key}: the server sent {response.ContentLength} bytes");
            }
            await response.ResponseStream.ReadExactlyAsync(buffer.AsMemory(0, length), ct).ConfigureAwait(false);
            return buffer;
        }
        catch (Exception e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw S3Failure.IsS3Failure(e) ? _fail(e, _object) : e;
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            foreach (var part in _pending)
            {
                // Parts still in flight end on the cancellation; their buffers go back to the pool when they do.
                part.ContinueWith(t => { if (t.IsCompletedSuccessfully) ArrayPool<byte>.Shared.Return(t.Result); },
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            _pending.Clear();
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
