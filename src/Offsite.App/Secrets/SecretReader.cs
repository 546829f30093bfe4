using System.Diagnostics;
using Offsite.Core.Errors;

namespace Offsite.App.Secrets;

/// <summary>
/// Reads a secret from a file or from a command's output (a KMS, a password manager). Values are
/// never printed: messages name only where the secret was to come from.
/// </summary>
public static class SecretReader
{
    public static string ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OffsiteException(ErrorKind.Usage, $"cannot read {what} {path}: {e.Message}", e);
        }
    }

    /// <summary>Runs a shell command and returns its stdout; a failure names <paramref name="what"/>, never the output.</summary>
    public static string RunCommand(string command, string what)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        using var process = Process.Start(psi) ?? throw new OffsiteException(ErrorKind.Usage, $"{what}: could not start /bin/sh");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{what} failed with exit code {process.ExitCode}");
        }
        if (string.IsNullOrWhiteSpace(output))
        {
            throw new OffsiteException(ErrorKind.Usage, $"{what} printed nothing");
        }
        return output;
    }

    /// <summary>The first line of a passphrase source; an empty one is an error.</summary>
    public static string FirstLine(string text, string what)
    {
        string line = text.Split('\n')[0].TrimEnd('\r');
        return line.Length > 0 ? line : throw new OffsiteException(ErrorKind.Usage, $"{what} is empty");
    }
}
