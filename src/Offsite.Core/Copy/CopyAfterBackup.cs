using Offsite.Core.Errors;
using Offsite.Core.Storage;

namespace Offsite.Core.Copy;

/// <summary>The outcome of copying to one `copy_to` location after a backup.</summary>
public sealed record CopyTargetResult(string Location, CopyReport? Report, string? Error)
{
    public bool Ok => Error is null && Report is { Ok: true };

    /// <summary>One line for the job's log: what was copied, or why the copy failed.</summary>
    public string Describe() => Error is not null
        ? $"copy to {Location} FAILED: {Error}"
        : Report!.Ok
            ? $"copy to {Location}: {Report.Copied} objects copied, {Report.AlreadyThere} already there"
            : $"copy to {Location} FAILED: {Report.Damaged.Count} damaged and {Report.Archived.Count} archived source object(s) not copied";
}

/// <summary>
/// The job option <c>copy_to: [LOCATION…]</c>: after a successful backup, mirror the repository
/// into each location (see <see cref="RepositoryCopier.MirrorAsync"/>: no identity needed, so a
/// write-only backup host can run it if its credentials may read and list the source). Every
/// location is attempted; a failure never touches the primary repository, whose snapshot is already
/// written. The caller fails the job loudly when <see cref="AllOk"/> is false.
/// </summary>
public static class CopyAfterBackup
{
    /// <param name="repository">the repository the backup just wrote (its key need not read)</param>
    /// <param name="openTarget">opens a location's storage (the application layer's storage factory)</param>
    public static async Task<IReadOnlyList<CopyTargetResult>> RunAsync(
        Repository.Repository repository, IReadOnlyList<string> locations, Func<string, IStorage> openTarget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(locations);
        ArgumentNullException.ThrowIfNull(openTarget);
        var results = new List<CopyTargetResult>();
        foreach (string location in locations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await using var target = openTarget(location);
                var copier = new RepositoryCopier(repository.Storage, target);
                var report = await copier.MirrorAsync(repository.Key.CanRead ? repository : null, cancellationToken).ConfigureAwait(false);
                results.Add(new CopyTargetResult(location, report, null));
            }
            catch (Exception e) when (e is OffsiteException or StorageException or IOException or UnauthorizedAccessException)
            {
                results.Add(new CopyTargetResult(location, null, e.Message));
            }
        }
        return results;
    }

    public static bool AllOk(IEnumerable<CopyTargetResult> results) => results.All(r => r.Ok);
}
