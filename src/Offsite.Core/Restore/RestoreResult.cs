using Offsite.Core.Trees;

namespace Offsite.Core.Restore;

/// <summary>What a restore wrote and what it could not.</summary>
public sealed class RestoreResult
{
    private long _bytes, _kept, _replaced;
    /// <summary>What was restored, in the categories backup counts too.</summary>
    public EntryCounts Entries { get; } = new();
    public long Files => Entries.Files;
    public long Bytes => Interlocked.Read(ref _bytes);
    public long Directories => Entries.Directories;
    /// <summary>Existing entries the overwrite policy left as they were (not counted in <see cref="Entries"/>).</summary>
    public long Kept => Interlocked.Read(ref _kept);
    /// <summary>Existing entries that were replaced (counted in <see cref="Entries"/>).</summary>
    public long Replaced => Interlocked.Read(ref _replaced);
    /// <summary>One line per path that was not restored (or not restored intact), with the reason.</summary>
    public List<string> Errors { get; } = new();
    public bool Complete { get { lock (Errors) { return Errors.Count == 0; } } }
    /// <summary>True when the snapshot had something to restore: an entry the include patterns selected (always, without patterns, unless it is empty).</summary>
    public bool Matched { get; internal set; }

    internal void AddFile(long bytes)
    {
        Entries.Add(NodeType.File);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void AddDirectory() => Entries.Add(NodeType.Directory);
    internal void AddSpecial(NodeType type) => Entries.Add(type);
    internal void AddKept() => Interlocked.Increment(ref _kept);
    internal void AddReplaced() => Interlocked.Increment(ref _replaced);

    internal void Fail(string path, string reason)
    {
        lock (Errors)
        {
            Errors.Add($"{path}: {reason}");
        }
    }
}
