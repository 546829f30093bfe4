using Offsite.Core.Content;
using Offsite.Core.Errors;

namespace Offsite.App.Dump;

/// <summary>
/// A file's content read blob by blob (a few loaded ahead). It reports its length up front, as
/// the tar header needs, and refuses to seek anywhere but where it is.
/// </summary>
internal sealed class BlobContentStream(BlobLoader loader, IReadOnlyList<string> content, long length, string path, CancellationToken ct) : Stream
{
    private const int Prefetch = ContentReader.DefaultPrefetch;
    private readonly Queue<Task<byte[]>> _pending = new();
    private int _next;
    private byte[] _current = [];
    private int _offset;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true; // for the length; Seek only accepts the current position
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => Seek(value, SeekOrigin.Begin); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_offset == _current.Length)
        {
            while (_next < content.Count && _pending.Count < Prefetch)
            {
                var id = BlobId.Parse(content[_next++]);
                _pending.Enqueue(Task.Run(() => loader.LoadAsync(id, ct), ct));
            }
            if (_pending.Count == 0) return 0;
            _current = await _pending.Dequeue().ConfigureAwait(false);
            _offset = 0;
        }
        int n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        _position += n;
        if (_position > length)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{path}: its content is longer than the size its tree records");
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The tar header promised <see cref="Length"/> bytes: a shorter content would corrupt the archive.</summary>
    public void EnsureComplete()
    {
        if (_position != length)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{path}: its content has {_position} bytes, its tree records {length}");
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => length + offset };
        return target == _position ? _position : throw new NotSupportedException("content streams are read front to back");
    }

    public override void Flush() { }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // Loads still in flight finish on their own; their results are dropped.
        _pending.Clear();
        base.Dispose(disposing);
    }
}
