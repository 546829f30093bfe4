using System.CommandLine;
using Offsite.Cli;
using Offsite.Cli.Commands;

TerminalOutput.UsePlainWriters();
var root = new RootCommand("offsite: encrypted, deduplicated, off-site backups");
foreach (var option in GlobalSettings.All)
{
    root.Options.Add(option);
}
root.Subcommands.Add(InitCommand.Create());
root.Subcommands.Add(BackupCommand.Create());
root.Subcommands.Add(SnapshotsCommand.Create());
root.Subcommands.Add(LsCommand.Create());
root.Subcommands.Add(RestoreCommand.Create());
root.Subcommands.Add(DumpCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(KeyCommand.Create());
root.Subcommands.Add(DiffCommand.Create());
root.Subcommands.Add(StatsCommand.Create());
root.Subcommands.Add(BucketCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(ConfigCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(ForgetCommand.Create());
root.Subcommands.Add(PruneCommand.Create());
root.Subcommands.Add(LockCommand.Create());
root.Subcommands.Add(CopyCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(FindCommand.Create());
root.Subcommands.Add(TagCommand.Create());

HelpText.Install(root);
if (args is ["help", "globals"])
{
    HelpText.WriteGlobals(root, Console.Out);
    return ExitCodes.Ok;
}
args = CommandLineChecks.Rewrite(args);
var parsed = root.Parse(args);
if (CommandLineChecks.IsBareGroup(parsed))
{
    // `offsite key`: show what the group offers instead of an error about a missing command.
    await root.Parse([.. args, "--help"]).InvokeAsync();
    return ExitCodes.Usage;
}
if (CommandLineChecks.Problem(root, parsed, args) is { } problem)
{
    Console.Error.WriteLine($"offsite: {problem}");
    Console.Error.WriteLine("Run 'offsite --help' for usage.");
    return ExitCodes.Usage;
}
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"offsite: {error.Message}");
    }
    Console.Error.WriteLine("Run 'offsite --help' for usage.");
    return ExitCodes.Usage;
}
// `serve` runs on the generic host, which handles SIGTERM itself (drain within the grace period, exit 0);
// every other command gets System.CommandLine's cancellation on Ctrl-C/SIGTERM, with time for an
// interrupted backup to finish the uploads in flight and index them (twice BackupRunner.InterruptGrace).
bool hosted = parsed.CommandResult.Command.Name == "serve";
var grace = (2 * Offsite.Core.Backup.BackupRunner.InterruptGrace) + TimeSpan.FromSeconds(2);
int exit = await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = hosted ? null : grace });
// SIGTERM past the grace period: System.CommandLine answers 143; an interrupted run is 130 either way.
return exit == 143 && !hosted ? ExitCodes.Interrupted : exit;
