using System.CommandLine;
using Offsite.Cli.Commands;

namespace Offsite.Cli;

/// <summary>
/// The command-line tree: the root, its global options and every command. Building all twenty commands
/// with all their options costs more start-up time than an everyday command itself (System.CommandLine's
/// generic options are compiled on first use), so a run builds only the command it invokes;
/// help, typos and unknown words get the whole tree.
/// </summary>
public static class CommandTree
{
    /// <summary>Every command in the order <c>offsite --help</c> lists them.</summary>
    private static readonly (string Name, Func<Command> Create)[] Commands =
    [
        ("init", InitCommand.Create), ("backup", BackupCommand.Create), ("snapshots", SnapshotsCommand.Create),
        ("ls", LsCommand.Create), ("restore", RestoreCommand.Create), ("dump", DumpCommand.Create),
        ("check", CheckCommand.Create), ("key", KeyCommand.Create), ("diff", DiffCommand.Create),
        ("stats", StatsCommand.Create), ("bucket", BucketCommand.Create), ("verify", VerifyCommand.Create),
        ("config", ConfigCommand.Create), ("run", RunCommand.Create), ("forget", ForgetCommand.Create),
        ("prune", PruneCommand.Create), ("lock", LockCommand.Create), ("copy", CopyCommand.Create),
        ("serve", ServeCommand.Create), ("migrate", MigrateCommand.Create), ("find", FindCommand.Create),
        ("tag", TagCommand.Create),
    ];

    /// <summary>The root with every command.</summary>
    public static RootCommand Full() => Build(null);

    /// <summary>The root with only the command <paramref name="args"/> names, or with every command when none is recognized.</summary>
    public static RootCommand For(string[] args) => Build(InvokedCommand(args));

    /// <summary>True when <paramref name="root"/> holds one command only (<see cref="For"/> recognized it).</summary>
    public static bool IsPartial(RootCommand root) => root.Subcommands.Count < Commands.Length;

    /// <summary>
    /// The command word of <paramref name="args"/>: the first word that is neither an option nor a global
    /// option's value, when it names a command; null for none, an unknown word, a response file
    /// (<c>@file</c>) or a directive (<c>[suggest]</c>).
    /// </summary>
    public static string? InvokedCommand(string[] args)
    {
        var takesValue = GlobalSettings.All.Where(o => o.ValueType != typeof(bool)).SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg == "--") return null;
            if (arg.StartsWith('-'))
            {
                if (takesValue.Contains(arg)) i++;
                continue;
            }
            return Commands.Any(c => c.Name == arg) ? arg : null;
        }
        return null;
    }

    private static RootCommand Build(string? only)
    {
        var root = new RootCommand("offsite: encrypted, deduplicated, off-site backups");
        foreach (var option in GlobalSettings.All)
        {
            root.Options.Add(option);
        }
        foreach (var (name, create) in Commands)
        {
            if (only is null || only == name) root.Subcommands.Add(create());
        }
        HelpText.Install(root);
        return root;
    }
}
