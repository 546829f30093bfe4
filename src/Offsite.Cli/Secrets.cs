using System.Diagnostics;
using Offsite.Core.Errors;
using Offsite.Core.Repository;

namespace Offsite.Cli;

/// <summary>
/// Where passphrases and keys come from: a file, a command (for a KMS or a password manager),
/// an environment variable, or a prompt on a terminal. Values are never printed; messages name
/// only the source.
/// </summary>
public static class Secrets
{
    public static KeySource ResolveKey(GlobalSettings s, bool allowPrompt)
    {
        string? keyFile = s.KeyFile ?? Environment.GetEnvironmentVariable("OFFSITE_KEY_FILE");
        if (!string.IsNullOrEmpty(keyFile))
        {
            return KeySource.FromKeyText(ReadFile(keyFile, "key file"), $"key file {keyFile}");
        }
        string? keyCommand = s.KeyCommand ?? Environment.GetEnvironmentVariable("OFFSITE_KEY_COMMAND");
        if (!string.IsNullOrEmpty(keyCommand))
        {
            return KeySource.FromKeyText(RunCommand(keyCommand, "--key-command"), "--key-command");
        }
        return KeySource.FromPassphrase(ResolvePassphrase(s, allowPrompt, confirm: false), "passphrase");
    }

    public static string ResolvePassphrase(GlobalSettings s, bool allowPrompt, bool confirm)
    {
        string? file = s.PasswordFile ?? Environment.GetEnvironmentVariable("OFFSITE_PASSWORD_FILE");
        if (!string.IsNullOrEmpty(file))
        {
            return FirstLine(ReadFile(file, "password file"));
        }
        string? command = s.PasswordCommand ?? Environment.GetEnvironmentVariable("OFFSITE_PASSWORD_COMMAND");
        if (!string.IsNullOrEmpty(command))
        {
            return FirstLine(RunCommand(command, "--password-command"));
        }
        string? env = Environment.GetEnvironmentVariable("OFFSITE_PASSWORD");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }
        if (allowPrompt && !Console.IsInputRedirected)
        {
            string first = Prompt("enter repository passphrase: ");
            if (confirm && Prompt("enter it again: ") != first)
            {
                throw new OffsiteException(ErrorKind.Usage, "the passphrases do not match");
            }
            return first;
        }
        throw new OffsiteException(ErrorKind.Usage, "no passphrase or key: set OFFSITE_PASSWORD, --password-file, --password-command, --key-file or --key-command");
    }

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

    /// <summary>Runs a shell command and returns its stdout; a failure names the option, not the output.</summary>
    public static string RunCommand(string command, string option)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        using var process = Process.Start(psi) ?? throw new OffsiteException(ErrorKind.Usage, $"{option}: could not start /bin/sh");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{option} failed with exit code {process.ExitCode}");
        }
        if (string.IsNullOrWhiteSpace(output))
        {
            throw new OffsiteException(ErrorKind.Usage, $"{option} printed nothing");
        }
        return output;
    }

    private static string FirstLine(string text)
    {
        string line = text.Split('\n')[0].TrimEnd('\r');
        return line.Length > 0 ? line : throw new OffsiteException(ErrorKind.Usage, "the passphrase source is empty");
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var chars = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (chars.Length > 0) chars.Length--;
                continue;
            }
            chars.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return chars.ToString();
    }
}
