using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Offsite.Cli;

/// <summary>
/// Console.Out and Console.Error as plain writers on file descriptors 1 and 2 when they are terminals.
/// .NET's console streams initialize the terminal on their first write, which switches it into keypad
/// mode by writing ESC [?1h ESC = before the program's first byte (and garbles what a test or a
/// terminal recorder sees); a plain stream writes exactly what offsite prints.
/// </summary>
public static class TerminalOutput
{
    public static void UsePlainWriters()
    {
        if (!Console.IsOutputRedirected) Console.SetOut(Writer(1));
        if (!Console.IsErrorRedirected) Console.SetError(Writer(2));
    }

    private static TextWriter Writer(int fd) =>
        TextWriter.Synchronized(new StreamWriter(new FileStream(new SafeFileHandle(fd, ownsHandle: false), FileAccess.Write, bufferSize: 0), new UTF8Encoding(false)) { AutoFlush = true });
}
