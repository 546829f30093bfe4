namespace Offsite.Core.Restore;

/// <summary>What a restore wrote and what it could not.</summary>
public sealed class RestoreResult
{
    private long _files, _bytes, _dirs;
    public long Files => Interlocked.Read(ref _files);
    public long Bytes => Interlocked.Read(ref _bytes);
    public long Directories => Interlocked.Read(ref _dirs);
    /// <summary>One line per path that was not restored (or not restored intact), with the reason.</summary>
    public List<string> Errors { get; } = new();
    public bool Complete { get { lock (Errors) { return Errors.Count == 0; } } }
    /// <summary>True when the snapshot had something to restore: an entry the include patterns selected (always, without patterns, unless it is empty).</summary>
    public bool Matched { get; internal set; }

    internal void AddFile(long bytes)
    {
        Interlocked.Increment(ref _files);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void AddDirectory() => Interlocked.Increment(ref _dirs);

    internal void Fail(string path, string reason)
    {
        lock (Errors)
        {
            Errors.Add($"{path}: {reason}");
        }
    }
}
