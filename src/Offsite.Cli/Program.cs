using System.CommandLine;
using Offsite.Cli;

TerminalOutput.UsePlainWriters();
YoungGenerationPacer.StartForProcess();
if (args is ["help", "globals"])
{
    HelpText.WriteGlobals(CommandTree.Full(), Console.Out);
    return ExitCodes.Ok;
}
args = CommandLineChecks.Rewrite(args);
var root = CommandTree.For(args);
var parsed = root.Parse(args);
if (CommandTree.IsPartial(root) && (parsed.Errors.Count > 0 || CommandLineChecks.IsBareGroup(parsed) || CommandLineChecks.Problem(root, parsed, args) is not null))
{
    // A command line that is not clean is explained with every command known, exactly as before.
    root = CommandTree.Full();
    parsed = root.Parse(args);
}
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
