using System.Buffers;

namespace Offsite.Codecs.Compression;

/// <summary>
/// A write-only stream that compresses what is written into one zstd frame on the inner stream
/// (<c>ZSTD_compressStream2</c>); the frame ends when the stream is disposed. For documents written
/// piece by piece, such as index objects, whose whole plaintext and compressed form would otherwise sit
/// in memory. The frame does not record its content size (it is not known in advance); every zstd
/// decoder, and <see cref="Zstd.Decompress"/>, reads such frames.
/// </summary>
public sealed class ZstdCompressStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly ZstdCompressionContextHandle _cctx;
    private readonly byte[] _output;
    private bool _disposed;

    public ZstdCompressStream(Stream inner, int level = 3, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        int min = ZstdNative.MinCLevel();
        int max = ZstdNative.MaxCLevel();
        if (level < min || level > max)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"zstd level must be in [{min}, {max}].");
        }
        _inner = inner;
        _leaveOpen = leaveOpen;
        _cctx = ZstdContexts.CreateCompression();
        ZstdErrors.ThrowIfOperationError(ZstdNative.CCtxSetParameter(_cctx, ZstdNative.CompressionLevelParameter, level));
        _output = ArrayPool<byte>.Shared.Rent((int)ZstdNative.CStreamOutSize());
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Compress(buffer, ZstdNative.EndContinue);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Does not end the frame (only disposing does); passes the inner stream's flush on.</summary>
    public override void Flush() => _inner.Flush();

    private unsafe void Compress(ReadOnlySpan<byte> input, int endOp)
    {
        fixed (byte* src = input)
        fixed (byte* dst = _output)
        {
            var inBuffer = new ZstdNative.InBuffer { Src = src, Size = (nuint)input.Length, Pos = 0 };
            while (true)
            {
                var outBuffer = new ZstdNative.OutBuffer { Dst = dst, Size = (nuint)_output.Length, Pos = 0 };
                nuint remaining = ZstdErrors.ThrowIfOperationError(
                    ZstdNative.CompressStream2(_cctx, &outBuffer, &inBuffer, endOp));
                if (outBuffer.Pos > 0)
                {
                    _inner.Write(_output, 0, (int)outBuffer.Pos);
                }
                // With e_continue zstd may keep input buffered: done once it has taken all of it. With
                // e_end, done when it reports nothing left to flush.
                bool done = endOp == ZstdNative.EndFrame ? remaining == 0 : inBuffer.Pos == inBuffer.Size;
                if (done)
                {
                    return;
                }
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            try
            {
                Compress(ReadOnlySpan<byte>.Empty, ZstdNative.EndFrame);
            }
            finally
            {
                _cctx.Dispose();
                ArrayPool<byte>.Shared.Return(_output);
                if (!_leaveOpen)
                {
                    _inner.Dispose();
                }
            }
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_disposed;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
