namespace Offsite.Cli;

/// <summary>Asks a person at a terminal for the passphrase; secrets from files, commands and the environment are App's <c>KeySpec</c>.</summary>
public static class Secrets
{
    /// <summary>A prompt when stdin is a terminal, else null (nobody can answer).</summary>
    public static Func<string>? Prompt(bool confirm)
    {
        if (Console.IsInputRedirected)
        {
            return null;
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
