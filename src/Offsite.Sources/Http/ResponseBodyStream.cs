using Offsite.Core.Errors;

namespace Offsite.Sources.Http;

/// <summary>
/// A response body read once to its end. A connection cut mid-body, or a body shorter than its
/// Content-Length, becomes a SourceFailed error naming the service, so the backup writes no snapshot.
/// </summary>
public sealed class ResponseBodyStream(Stream inner, long? contentLength, string what, Redactor redactor) : Stream
{
    private long _read;

    /// <summary>True once the body ended where it should.</summary>
    public bool Ended { get; private set; }

    public long BytesRead => _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = inner.Read(buffer);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw Cut(e);
        }
        return Account(n, buffer.Length);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw Cut(e);
        }
        return Account(n, buffer.Length);
    }

    private int Account(int n, int asked)
    {
        _read += n;
        if (n == 0 && asked > 0) // an empty read of an empty buffer says nothing about the end
        {
            if (contentLength is { } expected && _read != expected)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, $"{what}: the response ended after {_read} of {expected} bytes; no snapshot was written");
            }
            Ended = true;
        }
        return n;
    }

    private OffsiteException Cut(Exception e) =>
        new(ErrorKind.SourceFailed, redactor.Redact($"{what}: the connection broke after {_read} bytes of the response ({e.Message}); no snapshot was written"), e);

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
