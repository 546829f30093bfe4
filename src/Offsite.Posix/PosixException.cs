using System.Runtime.InteropServices;

namespace Offsite.Posix;

/// <summary>
/// A failed libc call. Keeps the errno so callers can branch on the cause (missing file versus
/// permission problem) instead of parsing messages, and the path so logs say which file failed.
/// </summary>
public sealed class PosixException : IOException
{
    public PosixException()
        : this(0, string.Empty)
    {
    }

    public PosixException(string message)
        : base(message)
    {
        PathText = string.Empty;
    }

    public PosixException(string message, Exception innerException)
        : base(message, innerException)
    {
        PathText = string.Empty;
    }

    /// <summary>Creates the exception with message <c>"&lt;strerror&gt;: &lt;path&gt;"</c>.</summary>
    public PosixException(int errno, string pathText)
        : base(FormatMessage(errno, pathText))
    {
        Errno = errno;
        PathText = pathText;
        // Mirrors what the BCL does for Unix IO errors, so generic IOException handlers see the errno too.
        HResult = errno;
    }

    /// <summary>The raw errno value (Linux numbering).</summary>
    public int Errno { get; }

    /// <summary>The path involved, decoded with <see cref="PosixPath.ToDisplay"/>.</summary>
    public string PathText { get; }

    public bool IsNotFound => Errno == Native.Errno.ENOENT;

    public bool IsAlreadyExists => Errno == Native.Errno.EEXIST;

    public bool IsAccessDenied => Errno is Native.Errno.EACCES or Native.Errno.EPERM;

    /// <summary>Builds the exception from the errno the last libc call left behind.</summary>
    internal static PosixException FromLastError(ReadOnlySpan<byte> path) =>
        new(Marshal.GetLastPInvokeError(), PosixPath.ToDisplay(path));

    private static string FormatMessage(int errno, string pathText) =>
        Marshal.GetPInvokeErrorMessage(errno) + ": " + pathText;
}
