using System.Runtime.InteropServices;

namespace Offsite.Posix;

/// <summary>
/// The size of a terminal, asked of the kernel directly: .NET's Console.WindowWidth first initializes
/// the console, which writes the terminfo keypad sequence (ESC [?1h ESC =) to the terminal.
/// </summary>
public static partial class Terminal
{
    private const ulong TIOCGWINSZ = 0x5413; // Linux, all architectures .NET runs on

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows, Columns, XPixels, YPixels;
    }

    // ioctl is variadic in C; on x86_64 and arm64 Linux one pointer argument is passed as for a fixed signature.
    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, ulong request, ref WinSize size);

    /// <summary>Columns of the terminal on <paramref name="fd"/>; null when it is not a terminal or reports no size.</summary>
    public static int? Columns(int fd)
    {
        var size = default(WinSize);
        return ioctl(fd, TIOCGWINSZ, ref size) == 0 && size.Columns > 0 ? size.Columns : null;
    }
}
