namespace Offsite.Sources.Postgres;

/// <summary>Passes a stream through and keeps a copy of its first bytes (a dump's header).</summary>
internal sealed class HeadRecordingStream(Stream inner, int headLength) : Stream
{
    private readonly byte[] _head = new byte[headLength];
    private int _recorded;

    public ReadOnlySpan<byte> Head => _head.AsSpan(0, _recorded);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Record(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Record(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Record(ReadOnlySpan<byte> read)
    {
        int take = Math.Min(read.Length, _head.Length - _recorded);
        read[..take].CopyTo(_head.AsSpan(_recorded));
        _recorded += take;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
