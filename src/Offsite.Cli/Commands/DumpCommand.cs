using System.CommandLine;
using Offsite.App.Dump;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Trees;

namespace Offsite.Cli.Commands;

public static class DumpCommand
{
    public static Command Create()
    {
        var snapshot = new Argument<string>("snapshot") { Description = "snapshot id or 'latest'" };
        var file = new Argument<string>("path") { Description = "file (written as is) or directory (written as an archive) inside the snapshot" };
        var archive = new Option<string?>("--archive", "-a") { Description = "archive format for a directory: tar (default; modes, owners, mtimes, symlinks) or zip (modes, mtimes, symlinks)" };
        archive.AcceptOnlyFromAmong("tar", "zip");
        var filters = new SnapshotOptions();
        var command = new Command("dump", "write a file of a snapshot, or a directory as a tar or zip archive, to standard output") { snapshot, file, archive };
        filters.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var (_, sn, loader) = await filters.OpenSnapshotAsync(s, r, r.GetValue(snapshot)!, ct).ConfigureAwait(false);
            string path = "/" + r.GetValue(file)!.Trim('/');
            Node node;
            try
            {
                node = await new TreeWalker(loader).FindAsync(sn.Tree, path, ct).ConfigureAwait(false);
            }
            catch (OffsiteException e) when (e.Kind == ErrorKind.NotFound)
            {
                throw new OffsiteException(ErrorKind.NotFound, $"{e.Message} (snapshot {sn.Id[..8]} of {Output.Time(sn.Time)})", e);
            }
            string? format = r.GetValue(archive);
            if (node.Type == NodeType.File && format is null)
            {
                await using var stdout = Console.OpenStandardOutput();
                await ContentReader.CopyToAsync(loader, node.Content ?? [], [stdout], ct).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            if (node.Type != NodeType.Directory && format is null)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{path} is a {node.Type.ToString().ToLowerInvariant()}: dump writes files, or directories as archives (--archive tar|zip for anything else)");
            }
            if (!Console.IsOutputRedirected)
            {
                throw new OffsiteException(ErrorKind.Usage, "refusing to write an archive to a terminal: redirect standard output (offsite dump … > out.tar)");
            }
            await using var output = Console.OpenStandardOutput();
            var entries = Entries(new TreeWalker(loader), path, node, ct);
            if (format == "zip")
            {
                var counts = await SnapshotZip.WriteAsync(loader, entries, output, ct).ConfigureAwait(false);
                if (counts.Skipped > 0)
                {
                    Console.Error.WriteLine($"offsite: {counts.Skipped} FIFOs, sockets or devices left out: zip cannot hold them (use --archive tar)");
                }
            }
            else
            {
                await SnapshotTar.WriteAsync(loader, entries, output, ct).ConfigureAwait(false);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The dumped node itself (unless it is the root), then everything below it; paths as in the snapshot.</summary>
    private static async IAsyncEnumerable<(string Path, Node Node)> Entries(TreeWalker walker, string path, Node node,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (path != "/")
        {
            yield return (path, node);
        }
        if (node.Type == NodeType.Directory && node.Subtree is not null)
        {
            await foreach (var entry in walker.WalkAsync(node.Subtree, path == "/" ? "" : path, ct).ConfigureAwait(false))
            {
                yield return entry;
            }
        }
    }
}
