using System.Buffers;
using System.Security.Cryptography;

namespace Offsite.Crypto.Age;

/// <summary>
/// Write-only stream producing an age file. A full chunk is held back until more data arrives, because
/// only then is it known not to be the last one; Dispose encrypts and writes the final chunk.
/// </summary>
internal sealed class AgeEncryptStream : Stream
{
    private readonly Stream _destination;
    private readonly bool _leaveOpen;
    private readonly PayloadCipher _cipher;
    private readonly byte[] _plain;
    private readonly byte[] _encrypted;
    private int _plainCount;
    private long _chunkIndex;
    private bool _disposed;

    private AgeEncryptStream(Stream destination, bool leaveOpen, PayloadCipher cipher)
    {
        _destination = destination;
        _leaveOpen = leaveOpen;
        _cipher = cipher;
        _plain = ArrayPool<byte>.Shared.Rent(PayloadCipher.ChunkSize);
        _encrypted = ArrayPool<byte>.Shared.Rent(PayloadCipher.CipherChunkSize);
    }

    /// <summary>Writes header and nonce immediately, then returns the stream for the payload.</summary>
    public static AgeEncryptStream Create(Stream destination, IReadOnlyList<IRecipient> recipients, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("Destination stream must be writable.", nameof(destination));
        }
        Span<byte> fileKey = stackalloc byte[FileKeyWrap.FileKeySize];
        Span<byte> nonce = stackalloc byte[PayloadCipher.FileNonceSize];
        try
        {
            byte[] header = HeaderUnwrap.BuildHeader(recipients, fileKey);
            RandomNumberGenerator.Fill(nonce);
            destination.Write(header);
            destination.Write(nonce);
            return new AgeEncryptStream(destination, leaveOpen, new PayloadCipher(fileKey, nonce));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_disposed;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!buffer.IsEmpty)
        {
            if (_plainCount == PayloadCipher.ChunkSize)
            {
                _destination.Write(_encrypted, 0, EncryptBuffered(last: false));
            }
            int n = Take(buffer);
            buffer = buffer[n..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!buffer.IsEmpty)
        {
            if (_plainCount == PayloadCipher.ChunkSize)
            {
                int n = EncryptBuffered(last: false);
                await _destination.WriteAsync(_encrypted.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
            buffer = buffer[Take(buffer.Span)..];
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Flushes the destination only; the buffered chunk cannot be emitted before its successor is known.</summary>
    public override void Flush() => _destination.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _destination.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            base.Dispose(disposing);
            return;
        }
        _disposed = true;
        try
        {
            _destination.Write(_encrypted, 0, EncryptBuffered(last: true));
            _destination.Flush();
        }
        finally
        {
            Release();
            if (!_leaveOpen)
            {
                _destination.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            int n = EncryptBuffered(last: true);
            await _destination.WriteAsync(_encrypted.AsMemory(0, n)).ConfigureAwait(false);
            await _destination.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            Release();
            if (!_leaveOpen)
            {
                await _destination.DisposeAsync().ConfigureAwait(false);
            }
            GC.SuppressFinalize(this);
        }
    }

    private int Take(ReadOnlySpan<byte> buffer)
    {
        int n = Math.Min(PayloadCipher.ChunkSize - _plainCount, buffer.Length);
        buffer[..n].CopyTo(_plain.AsSpan(_plainCount));
        _plainCount += n;
        return n;
    }

    /// <summary>Encrypts the buffered plaintext as the next chunk into _encrypted; returns its length.</summary>
    private int EncryptBuffered(bool last)
    {
        _cipher.EncryptChunk(_chunkIndex++, last, _plain.AsSpan(0, _plainCount), _encrypted);
        int n = _plainCount + PayloadCipher.TagSize;
        _plainCount = 0;
        return n;
    }

    private void Release()
    {
        CryptographicOperations.ZeroMemory(_plain.AsSpan(0, PayloadCipher.ChunkSize));
        ArrayPool<byte>.Shared.Return(_plain);
        ArrayPool<byte>.Shared.Return(_encrypted);
        _cipher.Dispose();
    }
}
