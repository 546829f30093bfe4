using System.Security.Cryptography;

namespace Offsite.Core.Content;

/// <summary>
/// Writes through to another stream and hashes what passes, so a pack sealed into a file is named
/// (object ids are the SHA-256 of the stored bytes) without reading the file back.
/// </summary>
internal sealed class Sha256WriteStream(Stream destination) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Bytes written so far.</summary>
    public long Written { get; private set; }

    /// <summary>The lowercase hex SHA-256 of everything written (the object id); call once, at the end.</summary>
    public string FinishId() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    private bool _discarding;

    /// <summary>From now on, writes go nowhere: an abandoned pack's age stream still writes its last chunk when disposed.</summary>
    public void Discard() => _discarding = true;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_discarding)
        {
            return;
        }
        _hash.AppendData(buffer);
        destination.Write(buffer);
        Written += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() => destination.Flush();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
