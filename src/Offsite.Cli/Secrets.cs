namespace Offsite.Cli;

/// <summary>Asks a person at a terminal for the passphrase; secrets from files, commands and the environment are App's <c>KeySpec</c>.</summary>
public static class Secrets
{
    /// <summary>Set by <c>backup --stdin</c>: standard input is the data, never a passphrase.</summary>
    public static bool StdinIsData { get; set; }

    /// <summary>
    /// A prompt when stdin is a terminal; the first line of stdin when it is a pipe
    /// (<c>echo pass | offsite snapshots</c>, as restic does); null when stdin carries data.
    /// </summary>
    public static Func<string>? Prompt(bool confirm)
    {
        if (StdinIsData)
        {
            return null;
        }
        if (Console.IsInputRedirected)
        {
            return () => Console.In.ReadLine() is { Length: > 0 } line ? line
                : throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.Usage, "no passphrase: standard input is empty (pipe the passphrase in, or set OFFSITE_PASSWORD, --password-file, --password-command, --key-file or --key-command)");
        }
        return () =>
        {
            string first = Read("enter repository passphrase: ");
            if (confirm && Read("enter it again: ") != first)
            {
                throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.Usage, "the passphrases do not match");
            }
            return first;
        };
    }

    private static string Read(string label)
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
