using System.Buffers;

namespace Offsite.Posix.Native;

/// <summary>
/// A NUL-terminated copy of a path for passing to libc. Uses caller-provided stack scratch when it
/// fits and a pooled array otherwise, so the common case allocates nothing. Dispose returns the array.
/// </summary>
internal ref struct NativePath
{
    /// <summary>Scratch size callers should stackalloc; covers nearly every real path.</summary>
    public const int StackSize = 512;

    private readonly Span<byte> _buffer;
    private byte[]? _rented;

    public NativePath(ReadOnlySpan<byte> path, Span<byte> scratch)
    {
        // An embedded NUL would silently truncate the path in libc and act on a different file.
        if (path.Contains((byte)0))
        {
            throw new ArgumentException("Path contains a NUL byte: " + PosixPath.ToDisplay(path), nameof(path));
        }
        if (path.Length < scratch.Length)
        {
            _buffer = scratch;
            _rented = null;
        }
        else
        {
            _rented = ArrayPool<byte>.Shared.Rent(path.Length + 1);
            _buffer = _rented;
        }
        path.CopyTo(_buffer);
        _buffer[path.Length] = 0;
    }

    public readonly ref byte GetPinnableReference() => ref _buffer.GetPinnableReference();

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
