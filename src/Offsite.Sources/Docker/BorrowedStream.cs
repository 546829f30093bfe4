namespace Offsite.Sources.Docker;

/// <summary>
/// A read-only view of a stream someone else owns (a tar entry's data inside a longer archive):
/// disposing the view leaves the archive readable for the next entry.
/// </summary>
internal class BorrowedStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // Empty reads are answered here: the Docker client's chunked response stream takes a read of
    // zero bytes for the connection's end and throws (tar readers do ask for zero bytes at an entry's end).
    public override int Read(byte[] buffer, int offset, int count) => count == 0 ? 0 : inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => buffer.IsEmpty ? 0 : inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        buffer.IsEmpty ? ValueTask.FromResult(0) : inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        count == 0 ? Task.FromResult(0) : inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A tar entry's data that owns its archive reader: disposing ends the request.</summary>
internal sealed class OwningStream(Stream data, IDisposable owner) : BorrowedStream(data)
{
    protected override void Dispose(bool disposing)
    {
        if (disposing) owner.Dispose();
        base.Dispose(disposing);
    }
}
