using System.CommandLine;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Trees;

namespace Offsite.Cli.Commands;

public static class DumpCommand
{
    public static Command Create()
    {
        var snapshot = new Argument<string>("snapshot") { Description = "snapshot id or 'latest'" };
        var file = new Argument<string>("file") { Description = "path of the file inside the snapshot" };
        var filters = new SnapshotOptions();
        var command = new Command("dump", "write one file of a snapshot to standard output") { snapshot, file };
        filters.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var (_, sn, loader) = await filters.OpenSnapshotAsync(s, r, r.GetValue(snapshot)!, ct).ConfigureAwait(false);
            var node = await new TreeWalker(loader).FindAsync(sn.Tree, r.GetValue(file)!, ct).ConfigureAwait(false);
            if (node.Type != NodeType.File)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{r.GetValue(file)} is a {node.Type.ToString().ToLowerInvariant()}, not a file");
            }
            await using var stdout = Console.OpenStandardOutput();
            await ContentReader.CopyToAsync(loader, node.Content ?? [], [stdout], ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
