using System.CommandLine;
using System.CommandLine.Parsing;

namespace Offsite.Cli;

/// <summary>
/// What System.CommandLine leaves to the program: <c>help</c> and <c>version</c> as words, the nearest
/// command for a typo, an unknown option that would otherwise be taken as a path, and a command
/// group named without its subcommand.
/// </summary>
public static class CommandLineChecks
{
    /// <summary><c>offsite help [CMD…]</c> → <c>offsite [CMD…] --help</c>; <c>offsite version</c> → <c>--version</c>.</summary>
    public static string[] Rewrite(string[] args) => args switch
    {
        ["help", .. var rest] => [.. rest, "--help"],
        ["version"] => ["--version"],
        _ => args,
    };

    /// <summary>A usage error found after parsing (exit 2), or null when the command line is fine.</summary>
    public static string? Problem(RootCommand root, ParseResult parsed, string[] args)
    {
        if (args.Length > 0 && !args[0].StartsWith('-') && !root.Subcommands.Any(c => c.Name == args[0]))
        {
            string? near = Nearest(args[0], root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
            return $"unknown command '{args[0]}'" + (near is null ? "" : $" (did you mean '{near}'?)");
        }
        var command = parsed.CommandResult.Command;
        if (command.Subcommands.Count > 0 && command.Action is null)
        {
            return null; // a command group: Program prints its help
        }
        int doubleDash = parsed.Tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        foreach (var argument in parsed.CommandResult.Children.OfType<ArgumentResult>())
        {
            foreach (var token in argument.Tokens)
            {
                int at = IndexOf(parsed.Tokens, token);
                if (token.Value.Length > 1 && token.Value[0] == '-' && (doubleDash < 0 || at < doubleDash))
                {
                    string name = token.Value.Split('=')[0];
                    var options = AllOptions(parsed.CommandResult).SelectMany(o => o.Aliases.Append(o.Name));
                    string? near = Nearest(name, options);
                    return $"unknown option {name} for '{CommandPath(parsed.CommandResult)}'" + (near is null ? "" : $" (did you mean {near}?)");
                }
            }
        }
        return null;
    }

    /// <summary>True when a command group (<c>offsite key</c>) was named without a subcommand.</summary>
    public static bool IsBareGroup(ParseResult parsed) =>
        parsed.CommandResult.Command is { Subcommands.Count: > 0, Action: null } c && c is not RootCommand;

    private static int IndexOf(IReadOnlyList<Token> tokens, Token token)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            if (ReferenceEquals(tokens[i], token)) return i;
        }
        return -1;
    }

    private static IEnumerable<Option> AllOptions(CommandResult result)
    {
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                foreach (var o in c.Command.Options) yield return o;
            }
        }
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c && c.Command is not RootCommand; r = r.Parent)
        {
            names.Insert(0, c.Command.Name);
        }
        return string.Join(' ', names.Prepend("offsite"));
    }

    /// <summary>The candidate within edit distance 2 (or with the typed word as a prefix), if exactly one is closest.</summary>
    public static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        var scored = candidates.Distinct().Select(c => (c, d: c.StartsWith(typed, StringComparison.Ordinal) && typed.Length >= 3 ? 1 : Distance(typed, c)))
            .Where(x => x.d <= 2).OrderBy(x => x.d).ToList();
        return scored.Count > 0 && (scored.Count == 1 || scored[0].d < scored[1].d) ? scored[0].c : null;
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }
        return d[a.Length, b.Length];
    }
}
