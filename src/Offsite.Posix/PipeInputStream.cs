using System.Runtime.InteropServices;
using Offsite.Posix.Native;

namespace Offsite.Posix;

/// <summary>
/// Reads the read end of a pipe (a child's stdout, or stdin when it is a pipe) with large blocking
/// reads, batched: after a read that drained the pipe it waits a millisecond so the writer can fill
/// it again. Why: pg_dump and most dump programs write 4 KiB at a time. A reader that is faster than
/// the writer is woken for every write: for a 500 MB dump that is 125,000 wake-ups and as many reads
/// (the .NET pipe stream adds an epoll round and an EAGAIN per read on top), which cost about a CPU
/// second on both sides, on a machine where the dump program and its server backend need the same
/// CPUs. With a 1 MiB pipe and the pause, a read takes a few hundred KiB and the writer never blocks
/// unless it produces more than 1 GB/s.
/// </summary>
/// <remarks>
/// Reads block the calling thread (as <see cref="FileStream"/> does for pipes on Unix, where async
/// reads are blocking reads on a pool thread). A blocked read is not cancellable: owners end it by
/// ending the writer (killing the child process), which makes the read return end-of-file.
/// </remarks>
public sealed unsafe partial class PipeInputStream : Stream
{
    /// <summary>What the pipe is resized to; the unprivileged limit (fs.pipe-max-size) is 1 MiB by default.</summary>
    public const int DesiredPipeSize = 1 << 20;

    private const int F_GETFL = 3;
    private const int F_SETFL = 4;
    private const int F_SETPIPE_SZ = 1031;
    private const int F_GETPIPE_SZ = 1032;
    private const int O_NONBLOCK = 0x800;
    private static readonly TimeSpan RefillPause = TimeSpan.FromMilliseconds(1);

    private readonly SafeHandle _handle;
    private readonly int _fd;
    private readonly int _drainedBelow;
    private bool _addedRef;
    private bool _drained;
    private bool _eof;

    /// <summary>Wraps <paramref name="pipe"/>, which stays owned by the caller (this stream only holds a reference).</summary>
    public PipeInputStream(SafeHandle pipe)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        _handle = pipe;
        _handle.DangerousAddRef(ref _addedRef);
        _fd = (int)_handle.DangerousGetHandle();
        // Blocking reads: the BCL may have made the descriptor non-blocking for its own epoll loop.
        int flags = LibC.fcntl(_fd, F_GETFL, 0);
        if (flags >= 0 && (flags & O_NONBLOCK) != 0)
        {
            LibC.fcntl(_fd, F_SETFL, flags & ~O_NONBLOCK);
        }
        // Resizing is an optimisation: when the limit forbids it (EPERM past fs.pipe-user-pages-soft)
        // the pipe keeps its size and reads stay correct, only smaller.
        int size = LibC.fcntl(_fd, F_SETPIPE_SZ, DesiredPipeSize);
        if (size < 0)
        {
            size = LibC.fcntl(_fd, F_GETPIPE_SZ, 0);
        }
        PipeSize = size > 0 ? size : 64 * 1024;
        _drainedBelow = PipeSize / 4;
    }

    /// <summary>Reads a started child's redirected stdout (the pipe stays owned by the <see cref="System.Diagnostics.Process"/>).</summary>
    public static PipeInputStream OfStandardOutput(System.Diagnostics.Process process) =>
        new(((System.IO.Pipes.PipeStream)process.StandardOutput.BaseStream).SafePipeHandle);

    /// <summary>The pipe's capacity in bytes after the resize attempt.</summary>
    public int PipeSize { get; }

    /// <summary>True when descriptor <paramref name="fd"/> is a pipe or FIFO.</summary>
    public static bool IsPipe(int fd)
    {
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false);
        return PosixFs.FStat(handle).Type == PosixFileType.Fifo;
    }

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
        ObjectDisposedException.ThrowIf(!_addedRef, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if (_readAhead is not null && TakeReadAhead(buffer) is int taken and > 0)
        {
            return taken;
        }
        if (_eof)
        {
            return 0;
        }
        if (_drained)
        {
            Thread.Sleep(RefillPause);
        }
        int n = ReadOnce(buffer);
        _eof = n == 0;
        _drained = n > 0 && n < Math.Min(buffer.Length, _drainedBelow);
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int ReadOnce(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            return ReadOnce(p, buffer.Length);
        }
    }

    private int ReadOnce(byte* p, int length)
    {
        while (true)
        {
            nint n = LibC.read(_fd, p, (nuint)length);
            if (n >= 0)
            {
                return (int)n;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new PosixException(errno, "pipe read");
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        DisposeReadAhead();
        if (_addedRef)
        {
            _addedRef = false;
            _handle.DangerousRelease();
        }
        base.Dispose(disposing);
    }
}
