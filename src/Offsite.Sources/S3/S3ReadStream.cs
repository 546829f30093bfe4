using Amazon.S3.Model;

namespace Offsite.Sources.S3;

/// <summary>
/// The body of one GET, read straight from the connection. A network failure part-way through
/// becomes the source's own error (see <see cref="S3BucketSource"/>), so it is reported as the
/// source failing rather than as a local I/O error.
/// </summary>
internal sealed class S3ReadStream(GetObjectResponse response, Func<Exception, Exception> fail) : Stream
{
    private readonly Stream _body = response.ResponseStream;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Failure.IsS3Failure(e))
        {
            throw fail(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) response.Dispose();
        base.Dispose(disposing);
    }
}
