namespace Offsite.Core.Archiver;

/// <summary>Counters a backup updates as it goes; read from another thread for progress display.</summary>
public sealed class BackupProgress
{
    private long _files, _directories, _bytes, _skippedUnchanged;

    public long Files => Interlocked.Read(ref _files);
    public long Directories => Interlocked.Read(ref _directories);
    public long Bytes => Interlocked.Read(ref _bytes);
    public long UnchangedFiles => Interlocked.Read(ref _skippedUnchanged);
    public List<string> Warnings { get; } = new();

    internal void AddFile(long bytes, bool unchanged)
    {
        Interlocked.Increment(ref _files);
        Interlocked.Add(ref _bytes, bytes);
        if (unchanged) Interlocked.Increment(ref _skippedUnchanged);
    }

    internal void AddBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);
    internal void AddDirectory() => Interlocked.Increment(ref _directories);

    internal void Warn(string message)
    {
        lock (Warnings)
        {
            Warnings.Add(message);
        }
    }
}
