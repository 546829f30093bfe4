using Offsite.Core.Archiver;
using Offsite.Core.Sources;
using Offsite.Core.Trees;

namespace Offsite.App.Backup;

/// <summary>
/// Walks a tree source ahead of its backup, counting files and bytes, so a progress display can
/// show totals, a percentage and an ETA (as restic's scanner does). It reads metadata only.
/// </summary>
public static class TreeScan
{
    /// <summary>Counts into <paramref name="progress"/>; stops quietly when cancelled (the backup ended first).</summary>
    public static async Task RunAsync(ITreeSource source, BackupProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var entry in source.ListRootAsync(cancellationToken).ConfigureAwait(false))
            {
                await VisitAsync(source, entry, progress, cancellationToken).ConfigureAwait(false);
            }
            progress.ScanFinished();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The backup finished or was interrupted before the scan: the totals stay unknown.
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The totals are for display only: a scan that fails (a source it cannot walk twice)
            // leaves them unknown, and the backup itself reports what it cannot read.
            return;
        }
    }

    private static async Task VisitAsync(ITreeSource source, SourceEntry entry, BackupProgress progress, CancellationToken cancellationToken)
    {
        if (entry.Error is not null)
        {
            return; // the backup reports it
        }
        switch (entry.Node.Type)
        {
            case NodeType.File:
                progress.AddScanned(entry.Fingerprint.Size);
                break;
            case NodeType.Directory:
                try
                {
                    await foreach (var child in source.ListAsync(entry, cancellationToken).ConfigureAwait(false))
                    {
                        await VisitAsync(source, child, progress, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (SourceEntryException)
                {
                    // An unreadable directory: the backup skips and reports it; the totals leave it out too.
                    return;
                }
                break;
        }
    }
}
