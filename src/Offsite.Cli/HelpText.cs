using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Offsite.Cli;

/// <summary>
/// What <c>--help</c> shows beyond System.CommandLine's default: a command's own options first, the
/// global ones as one short group (<c>offsite help globals</c> describes them), examples per command
/// and the exit codes. Examples live here, keyed by command path, so commands stay small.
/// </summary>
public static class HelpText
{
    private static readonly Dictionary<string, string[]> Examples = new(StringComparer.Ordinal)
    {
        [""] = ["offsite init -r /srv/backup", "offsite backup /etc /home", "offsite snapshots", "offsite restore latest --target /tmp/restored"],
        ["init"] = ["offsite init -r /srv/backup", "offsite init -r s3:https://s3.example.org/backups/host1", "offsite init -r /srv/backup --pack-size 32"],
        ["backup"] = ["offsite backup /etc /home --tag daily", "pg_dump app | offsite backup --stdin --stdin-name app.sql", "offsite backup postgres://backup@db:5432/app"],
        ["snapshots"] = ["offsite snapshots", "offsite snapshots --host web1 --tag daily", "offsite --json snapshots | jq '.[].id'"],
        ["ls"] = ["offsite ls latest", "offsite ls latest /etc --recursive", "offsite ls 1a2b3c4d /home/alice"],
        ["restore"] = ["offsite restore latest --target /tmp/restored", "offsite restore latest --target /tmp/r --include /etc/nginx", "offsite restore latest --source pg:db:5432/app --to postgres://postgres@db2:5432/app"],
        ["dump"] = ["offsite dump latest /etc/hosts", "offsite dump 1a2b3c4d /app.sql > app.sql"],
        ["check"] = ["offsite check", "offsite check --read-data"],
        ["key"] = ["offsite key list", "offsite key add --new-password-file new.txt", "offsite key export --write-only -o backup-host.key"],
        ["key add"] = ["offsite key add --new-password-file new.txt", "OFFSITE_NEW_PASSWORD='another passphrase' offsite key add"],
        ["key list"] = ["offsite key list", "offsite --json key list"],
        ["key export"] = ["offsite key export --write-only -o backup-host.key", "offsite key export --identity -o escrow.key", "offsite --key-file backup-host.key backup /etc"],
        ["diff"] = ["offsite diff 1a2b3c4d latest", "offsite --json diff 1a2b3c4d 5e6f7a8b"],
        ["stats"] = ["offsite stats", "offsite --json stats"],
        ["verify"] = ["offsite verify latest --restore-to postgres://postgres@scratch:5432/drill", "offsite verify --source pg:db:5432/app --restore-to postgres://postgres@scratch:5432/drill --keep"],
        ["config"] = ["offsite config check", "offsite --config /etc/offsite/offsite.yaml config show"],
        ["run"] = ["offsite run nightly", "offsite --config ./offsite.yaml run nightly"],
        ["forget"] = ["offsite forget --keep-daily 7 --keep-weekly 4 --dry-run", "offsite forget --keep-last 10 --prune", "offsite forget --keep-within 30d --group-by host,source"],
        ["prune"] = ["offsite prune --dry-run", "offsite prune", "offsite prune --max-unused 10 --wait"],
        ["copy"] = ["offsite copy --to /mnt/usb/offsite", "offsite copy --to s3:https://s3.example.org/copy/host1 --snapshot latest"],
        ["serve"] = ["offsite --config /etc/offsite/offsite.yaml serve", "offsite serve --listen 0.0.0.0:8470"],
        ["migrate"] = ["offsite migrate"],
    };

    private static readonly (int Code, string Meaning)[] ExitCodeMeanings =
    [
        (ExitCodes.Ok, "success"),
        (ExitCodes.Internal, "internal error (a bug: please report it)"),
        (ExitCodes.Usage, "usage error: a wrong option, argument or missing secret"),
        (ExitCodes.WrongKey, "wrong passphrase or key"),
        (ExitCodes.RepositoryDamaged, "the repository is damaged"),
        (ExitCodes.PartialRestore, "partial restore: some files could not be restored"),
        (ExitCodes.Io, "I/O or storage error"),
        (ExitCodes.KeyCannotRead, "the key is write-only and cannot read the repository"),
        (ExitCodes.RepositoryNotFound, "no repository at that location"),
        (ExitCodes.SourceFailed, "the source failed (an unreadable stream, a failing command)"),
        (ExitCodes.NotFound, "not found: no such snapshot, path or job"),
        (ExitCodes.Locked, "the repository is locked by another operation"),
        (ExitCodes.Archived, "the data is archived (e.g. GLACIER) and must be retrieved first"),
        (ExitCodes.Interrupted, "interrupted (Ctrl-C or SIGTERM)"),
    ];

    /// <summary>Wraps the help action of <c>--help</c> (recursive: every command's) with <see cref="Action"/>.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction inner)
            {
                help.Action = new Action(inner);
            }
        }
    }

    /// <summary><c>offsite help globals</c>: the options every command takes, described.</summary>
    public static void WriteGlobals(RootCommand root, TextWriter output)
    {
        output.WriteLine("Global options (every command takes them; environment variables in parentheses):");
        foreach (string line in Sections(Render(root, ["--help"]))["Options:"])
        {
            if (!IsHelpOptionLine(line)) output.WriteLine(line);
        }
    }

    /// <summary>
    /// System.CommandLine 2.0 keeps its help layout API internal: the default text is rendered, the
    /// global options are cut from a subcommand's Options section, and the sections below appended.
    /// </summary>
    private sealed class Action(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var output = parseResult.InvocationConfiguration.Output;
            var command = parseResult.CommandResult.Command;
            var text = new StringWriter();
            parseResult.InvocationConfiguration.Output = text;
            try
            {
                inner.Invoke(parseResult);
            }
            finally
            {
                parseResult.InvocationConfiguration.Output = output;
            }
            output.Write(command is RootCommand ? text.ToString() : WithoutGlobals(text.ToString()));
            if (command is not RootCommand) WriteGlobalsPointer(output);
            WriteExamples(command, output);
            WriteExitStatus(output);
            return ExitCodes.Ok;
        }
    }

    private static string Render(RootCommand root, string[] args)
    {
        var text = new StringWriter();
        root.Parse(args).Invoke(new InvocationConfiguration { Output = text });
        return text.ToString();
    }

    /// <summary>The lines of each section ("Options:", "Commands:" …) of a help text, headers excluded.</summary>
    private static Dictionary<string, List<string>> Sections(string help)
    {
        var sections = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        List<string>? current = null;
        foreach (string line in help.Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && line.EndsWith(':'))
            {
                sections[line] = current = new List<string>();
            }
            else if (current is not null && line.Length > 0)
            {
                current.Add(line);
            }
        }
        return sections;
    }

    private static readonly HashSet<string> GlobalNames = GlobalSettings.All.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);

    private static bool IsHelpOptionLine(string line) => OptionNames(line).Contains("--help");

    /// <summary>"  -r, --repo <repo>   description" → -r, --repo; a continuation line → none.</summary>
    private static List<string> OptionNames(string line)
    {
        string trimmed = line.TrimStart();
        if (!trimmed.StartsWith('-')) return [];
        int end = trimmed.IndexOf("  ", StringComparison.Ordinal);
        string label = end < 0 ? trimmed : trimmed[..end];
        return label.Split(", ").Select(part => part.Split(' ')[0]).ToList();
    }

    /// <summary>A subcommand's help with the global options left out of its Options section (they follow as one short group).</summary>
    private static string WithoutGlobals(string help)
    {
        var kept = new System.Text.StringBuilder();
        bool inOptions = false, dropping = false;
        foreach (string line in help.Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                inOptions = line == "Options:";
                dropping = false;
            }
            else if (inOptions && OptionNames(line) is { Count: > 0 } names)
            {
                dropping = names.Any(GlobalNames.Contains);
            }
            if (line.Length == 0 || !(inOptions && dropping)) kept.Append(line).Append('\n');
        }
        return kept.ToString().TrimEnd('\n') + "\n\n";
    }

    private static void WriteGlobalsPointer(TextWriter output)
    {
        output.WriteLine("Global options (`offsite help globals` describes them):");
        var line = new System.Text.StringBuilder("  ");
        foreach (var option in GlobalSettings.All)
        {
            string name = string.Join('/', option.Aliases.Order(StringComparer.Ordinal).Append(option.Name));
            if (line.Length + name.Length > 100)
            {
                output.WriteLine(line.ToString().TrimEnd());
                line.Clear().Append("  ");
            }
            line.Append(name).Append(", ");
        }
        output.WriteLine(line.ToString().TrimEnd(' ', ','));
        output.WriteLine();
    }

    private static void WriteExamples(Command command, TextWriter output)
    {
        if (!Examples.TryGetValue(PathOf(command), out var examples)) return;
        output.WriteLine("Examples:");
        foreach (string example in examples) output.WriteLine($"  {example}");
        output.WriteLine();
    }

    private static void WriteExitStatus(TextWriter output)
    {
        output.WriteLine("Exit status:");
        foreach (var (code, meaning) in ExitCodeMeanings) output.WriteLine($"  {code,3}  {meaning}");
    }

    /// <summary>"key export" for <c>offsite key export</c>; "" for the root.</summary>
    private static string PathOf(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c && c is not RootCommand; s = c.Parents.FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }
        return string.Join(' ', names);
    }
}
