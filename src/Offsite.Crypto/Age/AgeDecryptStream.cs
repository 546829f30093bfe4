using System.Buffers;
using System.Security.Cryptography;

namespace Offsite.Crypto.Age;

/// <summary>
/// Read-only stream over the plaintext of an age file. Plaintext is only ever released chunk by chunk after
/// the chunk authenticated; a stream that is truncated, reordered, modified or has trailing data throws
/// <see cref="AgeException"/> (PayloadFailure) instead of reporting end-of-stream, so reaching EOF (Read
/// returning 0) means the whole payload was verified.
/// </summary>
internal sealed class AgeDecryptStream : Stream
{
    private const int HeaderReadBlock = 16 * 1024;

    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private readonly PayloadCipher _cipher;
    // One chunk of ciphertext plus one look-ahead byte that tells whether a full chunk is the last one.
    private readonly byte[] _encrypted;
    private readonly byte[] _plain;
    private int _encryptedCount;
    private int _plainPos;
    private int _plainLength;
    private long _chunkIndex;
    private bool _finished;
    private bool _sourceEof;
    private string? _error;
    private bool _disposed;

    private AgeDecryptStream(Stream source, bool leaveOpen, PayloadCipher cipher, ReadOnlySpan<byte> leftover)
    {
        _source = source;
        _leaveOpen = leaveOpen;
        _cipher = cipher;
        _encrypted = ArrayPool<byte>.Shared.Rent(PayloadCipher.CipherChunkSize + 1);
        _plain = ArrayPool<byte>.Shared.Rent(PayloadCipher.ChunkSize);
        leftover.CopyTo(_encrypted);
        _encryptedCount = leftover.Length;
    }

    /// <summary>Reads and verifies the header (consuming just past the nonce, plus read-ahead kept internally).</summary>
    public static AgeDecryptStream Open(Stream source, IReadOnlyList<IIdentity> identities, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(identities);
        if (!source.CanRead)
        {
            throw new ArgumentException("Source stream must be readable.", nameof(source));
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(2 * HeaderReadBlock);
        byte[]? fileKey = null;
        try
        {
            int count = 0;
            bool eof = false;
            ParsedHeader? header;
            while ((header = AgeHeader.TryParse(buffer.AsSpan(0, count), isComplete: eof)) is null)
            {
                eof = !ReadBlock(source, ref buffer, ref count);
            }
            fileKey = HeaderUnwrap.UnwrapFileKey(header, buffer.AsSpan(0, count), identities);

            int nonceEnd = header.Length + PayloadCipher.FileNonceSize;
            while (count < nonceEnd && !eof)
            {
                eof = !ReadBlock(source, ref buffer, ref count);
            }
            if (count < nonceEnd)
            {
                throw AgeException.Header("The file ends before the payload nonce.");
            }
            var cipher = new PayloadCipher(fileKey, buffer.AsSpan(header.Length, PayloadCipher.FileNonceSize));
            // Read-ahead is at most one block, which always fits the chunk buffer.
            var stream = new AgeDecryptStream(source, leaveOpen, cipher, buffer.AsSpan(nonceEnd, count - nonceEnd));
            stream._sourceEof = eof;
            return stream;
        }
        finally
        {
            if (fileKey is not null)
            {
                CryptographicOperations.ZeroMemory(fileKey);
            }
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Appends up to one block from the source, growing the buffer as needed; false at EOF.</summary>
    private static bool ReadBlock(Stream source, ref byte[] buffer, ref int count)
    {
        if (buffer.Length - count < HeaderReadBlock)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(0, count).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = bigger;
        }
        int n = source.Read(buffer, count, HeaderReadBlock);
        count += n;
        return n > 0;
    }

    public override bool CanRead => !_disposed;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (_plainPos == _plainLength)
        {
            if (!PrepareNextChunk())
            {
                return 0;
            }
            FillEncrypted();
            OpenChunk();
        }
        return CopyOut(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (_plainPos == _plainLength)
        {
            if (!PrepareNextChunk())
            {
                return 0;
            }
            while (!_sourceEof && _encryptedCount < PayloadCipher.CipherChunkSize + 1)
            {
                int n = await _source.ReadAsync(_encrypted.AsMemory(_encryptedCount, PayloadCipher.CipherChunkSize + 1 - _encryptedCount), cancellationToken).ConfigureAwait(false);
                Advance(n);
            }
            OpenChunk();
        }
        return CopyOut(buffer.Span);
    }

    /// <summary>False at verified end of stream; throws if an earlier failure was deferred.</summary>
    private bool PrepareNextChunk()
    {
        if (_error is not null)
        {
            throw AgeException.Payload(_error);
        }
        return !_finished;
    }

    private void FillEncrypted()
    {
        while (!_sourceEof && _encryptedCount < PayloadCipher.CipherChunkSize + 1)
        {
            Advance(_source.Read(_encrypted, _encryptedCount, PayloadCipher.CipherChunkSize + 1 - _encryptedCount));
        }
    }

    private void Advance(int n)
    {
        if (n == 0)
        {
            _sourceEof = true;
        }
        _encryptedCount += n;
    }

    /// <summary>
    /// Authenticates the chunk at the start of _encrypted. Mirrors the reference reader exactly, so the
    /// plaintext released before a failure matches it: a full chunk is tried with both last-flag values
    /// (look-ahead picks the likely one first), and a chunk that decrypts as last while more data follows
    /// is released before the trailing data is reported.
    /// </summary>
    private void OpenChunk()
    {
        int chunkLength = Math.Min(_encryptedCount, PayloadCipher.CipherChunkSize);
        bool moreFollows = _encryptedCount > PayloadCipher.CipherChunkSize;
        bool last;
        if (chunkLength == 0)
        {
            throw Fail("The payload ends without a final chunk (truncated file).");
        }
        if (chunkLength < PayloadCipher.CipherChunkSize)
        {
            if (_chunkIndex > 0 && chunkLength == PayloadCipher.TagSize)
            {
                throw Fail("The final chunk is empty, which only an empty file may have.");
            }
            last = true;
            if (!_cipher.TryDecryptChunk(_chunkIndex, last, _encrypted.AsSpan(0, chunkLength), _plain))
            {
                throw Fail($"Payload chunk {_chunkIndex} failed to authenticate (modified or truncated).");
            }
        }
        else
        {
            last = !moreFollows;
            if (!_cipher.TryDecryptChunk(_chunkIndex, last, _encrypted.AsSpan(0, chunkLength), _plain))
            {
                last = !last;
                if (!_cipher.TryDecryptChunk(_chunkIndex, last, _encrypted.AsSpan(0, chunkLength), _plain))
                {
                    throw Fail($"Payload chunk {_chunkIndex} failed to authenticate (modified or truncated).");
                }
            }
        }

        _plainPos = 0;
        _plainLength = chunkLength - PayloadCipher.TagSize;
        _chunkIndex++;
        // Keep the look-ahead byte (if any) as the start of the next chunk.
        _encryptedCount -= chunkLength;
        if (_encryptedCount > 0)
        {
            _encrypted[0] = _encrypted[chunkLength];
        }
        if (last)
        {
            if (moreFollows)
            {
                _error = "Trailing data after the final chunk.";
            }
            else
            {
                _finished = true;
            }
        }
    }

    private AgeException Fail(string message)
    {
        _error = message;
        return AgeException.Payload(message);
    }

    private int CopyOut(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _plainLength - _plainPos);
        _plain.AsSpan(_plainPos, n).CopyTo(destination);
        _plainPos += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            CryptographicOperations.ZeroMemory(_plain.AsSpan(0, PayloadCipher.ChunkSize));
            ArrayPool<byte>.Shared.Return(_plain);
            ArrayPool<byte>.Shared.Return(_encrypted);
            _cipher.Dispose();
            if (!_leaveOpen)
            {
                _source.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
