using System.Diagnostics;

namespace Offsite.Posix.Tests;

internal static class FileHelpers
{
    /// <summary>Creates a file with the given content through PosixFs, so byte names work.</summary>
    public static void WriteFile(byte[] path, ReadOnlySpan<byte> content, uint permissions = 0x1A4 /* 0644 */)
    {
        using var h = PosixFs.CreateFile(path, permissions);
        RandomAccess.Write(h, content, 0);
    }

    /// <summary>Runs coreutils stat(1) for an independent view of the same inode.</summary>
    public static string[] StatCommand(string format, string path)
    {
        var psi = new ProcessStartInfo("stat") { RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(format);
        psi.ArgumentList.Add(path);
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Trim().Split(' ');
    }
}
