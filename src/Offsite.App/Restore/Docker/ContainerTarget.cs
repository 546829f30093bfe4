using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;
using Offsite.Core.Trees;
using Offsite.Sources.Docker;

namespace Offsite.App.Restore.Docker;

/// <summary>
/// Restores a stream snapshot (one file: a dump) by running <c>restore_command</c> inside a running
/// container and streaming the file into its standard input.
/// </summary>
public sealed class ContainerTarget(DockerEndpoint endpoint, string container, IReadOnlyList<string> restoreCommand, string? user) : IRestoreTarget
{
    public string Display => $"docker container '{container}'";

    public async Task<RestoreReport> RestoreAsync(Core.Repository.Repository repo, Snapshot snapshot, CancellationToken cancellationToken)
    {
        var loader = new BlobLoader(repo);
        var root = await new TreeWalker(loader).LoadTreeAsync(snapshot.Tree, cancellationToken).ConfigureAwait(false);
        if (root.Nodes is not [{ Type: NodeType.File } file])
        {
            throw new OffsiteException(ErrorKind.Usage, $"snapshot {snapshot.Id[..8]} ({snapshot.Source}) is not a single dump file: restore it into a directory or a volume");
        }
        long started = repo.Runtime.Clock.GetTimestamp();
        await ContainerExecRestore.RunAsync(endpoint, container, restoreCommand, user,
            (input, ct) => ContentReader.CopyToAsync(loader, file.Content ?? [], [input], ct), cancellationToken).ConfigureAwait(false);
        return new RestoreReport(1, 0, file.Size, repo.Runtime.Clock.GetElapsedTime(started).TotalSeconds, []);
    }
}
