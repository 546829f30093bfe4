using Offsite.Core.Trees;

namespace Offsite.Core.Archiver;

/// <summary>Counters a backup updates as it goes; read from another thread for progress display.</summary>
public sealed class BackupProgress
{
    private long _bytes, _skippedUnchanged, _changed, _reusedBytes, _currentFileBytes;
    private long _totalFiles, _totalBytes;
    private volatile bool _totalsKnown;
    private volatile string? _currentFile;

    /// <summary>What was backed up, in the categories restore counts too.</summary>
    public EntryCounts Entries { get; } = new();
    public long Files => Entries.Files;
    public long Directories => Entries.Directories;
    public long Bytes => Interlocked.Read(ref _bytes);
    public long UnchangedFiles => Interlocked.Read(ref _skippedUnchanged);
    /// <summary>Files the files cache knew whose fingerprint differs; the rest of the read files are new.</summary>
    public long ChangedFiles => Interlocked.Read(ref _changed);
    public long NewFiles => Files - UnchangedFiles - ChangedFiles;
    /// <summary>The snapshot this run is compared with (same host and paths), or null when there is none.</summary>
    public string? ParentSnapshot { get; set; }

    /// <summary>Bytes done, counting the part of the current file read so far (<see cref="Bytes"/> counts whole files).</summary>
    public long ProcessedBytes => Bytes + Interlocked.Read(ref _currentFileBytes);
    public List<string> Warnings { get; } = new();

    /// <summary>The backup's CPU by stage when it was asked for (`backup --stage-times`), else null.</summary>
    public Backup.StageTimes? Stages { get; internal set; }

    /// <summary>Bytes this run read and found already stored, set once the data is flushed.</summary>
    public long ReusedBytes => Interlocked.Read(ref _reusedBytes);

    /// <summary>The file being read now (a path below the source root), or null.</summary>
    public string? CurrentFile => _currentFile;

    /// <summary>Files and bytes a scan ahead of the backup found so far; final once <see cref="TotalsKnown"/>.</summary>
    public long TotalFiles => Interlocked.Read(ref _totalFiles);
    public long TotalBytes => Interlocked.Read(ref _totalBytes);
    public bool TotalsKnown => _totalsKnown;

    public int WarningCount
    {
        get
        {
            lock (Warnings)
            {
                return Warnings.Count;
            }
        }
    }

    /// <summary>A scan ahead of the backup (for the totals a progress display shows) found a file.</summary>
    public void AddScanned(long bytes)
    {
        Interlocked.Increment(ref _totalFiles);
        Interlocked.Add(ref _totalBytes, bytes);
    }

    /// <summary>The scan ahead finished: the totals are final.</summary>
    public void ScanFinished() => _totalsKnown = true;

    internal void AddFile(long bytes, bool unchanged)
    {
        Interlocked.Exchange(ref _currentFileBytes, 0);
        Entries.Add(NodeType.File);
        Interlocked.Add(ref _bytes, bytes);
        if (unchanged) Interlocked.Increment(ref _skippedUnchanged);
    }

    internal void AddChangedFile() => Interlocked.Increment(ref _changed);

    internal void AddBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);
    internal void AddDirectory() => Entries.Add(NodeType.Directory);
    /// <summary>A symlink, FIFO, socket or device node.</summary>
    internal void AddSpecial(NodeType type) => Entries.Add(type);
    internal void SetReused(long bytes) => Interlocked.Exchange(ref _reusedBytes, bytes);
    internal void Reading(string? path)
    {
        Interlocked.Exchange(ref _currentFileBytes, 0);
        _currentFile = path;
    }

    internal void ReadPart(long bytes) => Interlocked.Add(ref _currentFileBytes, bytes);

    internal void Warn(string message)
    {
        lock (Warnings)
        {
            Warnings.Add(message);
        }
    }
}
