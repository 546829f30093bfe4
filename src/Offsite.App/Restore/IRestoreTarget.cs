using Offsite.Core.Snapshots;

namespace Offsite.App.Restore;

/// <summary>
/// Where a snapshot is restored to: a directory, a database, and next a bucket, an HTTP endpoint
/// or a container. A target gets the opened repository (index loaded) and the snapshot, and reads
/// what it needs through <see cref="Core.Content.BlobLoader"/> and <see cref="Core.Trees.TreeWalker"/>.
/// Adding a target means one class in its own folder; nothing in Core changes.
/// </summary>
public interface IRestoreTarget
{
    /// <summary>Where it restores to, for messages (never contains a secret).</summary>
    string Display { get; }

    Task<RestoreReport> RestoreAsync(Core.Repository.Repository repository, Snapshot snapshot, CancellationToken cancellationToken);
}

/// <summary>
/// What a restore did. <see cref="Errors"/> lists what could not be restored intact (then the
/// restore is partial, exit 5); <see cref="Details"/> is the target's own outcome for rendering.
/// </summary>
public sealed record RestoreReport(long Files, long Directories, long Bytes, double Seconds, IReadOnlyList<string> Errors, object? Details = null)
{
    public bool Complete => Errors.Count == 0;
}
