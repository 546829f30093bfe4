namespace Offsite.Codecs.Tests.Support;

/// <summary>
/// A read-only stream of <c>length</c> pseudo-random bytes generated on the fly, so tests can chunk
/// gigabytes without holding them in memory. Reads never allocate.
/// </summary>
internal sealed class GeneratedStream(long length, ulong seed) : Stream
{
    private ulong _state = seed;
    private long _remaining = length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Whole 8-byte words only (except at the very end), so the byte sequence is independent of read sizes.
        int n = (int)Math.Min(buffer.Length & ~7, _remaining);
        if (n == 0 && _remaining > 0 && buffer.Length > 0)
        {
            throw new ArgumentException("Reads must request at least 8 bytes.", nameof(buffer));
        }

        TestData.Fill(buffer[..n], ref _state);
        _remaining -= n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
