using Offsite.Core.Trees;

namespace Offsite.Core.Archiver;

/// <summary>Counters a backup updates as it goes; read from another thread for progress display.</summary>
public sealed class BackupProgress
{
    private long _bytes, _skippedUnchanged;

    /// <summary>What was backed up, in the categories restore counts too.</summary>
    public EntryCounts Entries { get; } = new();
    public long Files => Entries.Files;
    public long Directories => Entries.Directories;
    public long Bytes => Interlocked.Read(ref _bytes);
    public long UnchangedFiles => Interlocked.Read(ref _skippedUnchanged);
    public List<string> Warnings { get; } = new();

    internal void AddFile(long bytes, bool unchanged)
    {
        Entries.Add(NodeType.File);
        Interlocked.Add(ref _bytes, bytes);
        if (unchanged) Interlocked.Increment(ref _skippedUnchanged);
    }

    internal void AddBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);
    internal void AddDirectory() => Entries.Add(NodeType.Directory);
    /// <summary>A symlink, FIFO, socket or device node.</summary>
    internal void AddSpecial(NodeType type) => Entries.Add(type);

    internal void Warn(string message)
    {
        lock (Warnings)
        {
            Warnings.Add(message);
        }
    }
}
