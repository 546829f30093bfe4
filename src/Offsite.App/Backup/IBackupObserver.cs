using Offsite.Core.Archiver;
using Offsite.Core.Snapshots;

namespace Offsite.App.Backup;

/// <summary>How a front end follows a backup: a progress line, a run log, metrics.</summary>
public interface IBackupObserver
{
    /// <summary>A backup of one stream or tree starts; <paramref name="progress"/> updates while it runs.</summary>
    void Started(string sourceName, BackupProgress progress);

    /// <summary>A snapshot was written.</summary>
    void Saved(Snapshot snapshot, BackupProgress progress);

    /// <summary>A dry run ended: <paramref name="snapshot"/> (never stored, no id) and its stats tell what a backup would add.</summary>
    void DryRunDone(Snapshot snapshot, BackupProgress progress);

    /// <summary>Something worth a line in the run's log (a copy made after the backup).</summary>
    void Note(string message);

    /// <summary>A warning (an unreadable file, a client older than the server).</summary>
    void Warning(string message);

    /// <summary>One stream of a several-stream source failed; the others go on.</summary>
    void Failed(string sourceName, string message);
}
