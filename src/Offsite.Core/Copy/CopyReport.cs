namespace Offsite.Core.Copy;

/// <summary>What a copy did. Damaged and archived source objects are reported, never copied.</summary>
public sealed class CopyReport
{
    private readonly Lock _lock = new();

    /// <summary>Objects uploaded to the target (each verified against its name first).</summary>
    public int Copied { get; private set; }
    public long BytesCopied { get; private set; }
    /// <summary>Objects the target already held with the same size (incremental: nothing to do).</summary>
    public int AlreadyThere { get; private set; }
    /// <summary>Listed in the source, gone when read (lifecycle expiry, prune): nothing to copy.</summary>
    public int Vanished { get; private set; }
    /// <summary>Source objects whose bytes do not match their name (tampered, truncated): key → reason.</summary>
    public SortedDictionary<string, string> Damaged { get; } = new(StringComparer.Ordinal);
    /// <summary>Source objects in an archive class that must be retrieved before they can be copied: key → class.</summary>
    public SortedDictionary<string, string> Archived { get; } = new(StringComparer.Ordinal);
    /// <summary>Snapshots (ids) now held by the target.</summary>
    public SortedSet<string> Snapshots { get; } = new(StringComparer.Ordinal);
    /// <summary>Snapshots selected but not copied, with the reason (a pack they need could not be copied).</summary>
    public SortedDictionary<string, string> SkippedSnapshots { get; } = new(StringComparer.Ordinal);
    /// <summary>Other problems found on the way (damaged trees of a filtered copy).</summary>
    public List<string> Problems { get; } = new();

    public bool Ok => Damaged.Count == 0 && Archived.Count == 0 && SkippedSnapshots.Count == 0 && Problems.Count == 0;

    internal void AddCopied(long bytes)
    {
        lock (_lock)
        {
            Copied++;
            BytesCopied += bytes;
        }
    }

    internal void AddAlreadyThere(int count)
    {
        lock (_lock) AlreadyThere += count;
    }

    internal void AddVanished()
    {
        lock (_lock) Vanished++;
    }

    internal void AddDamaged(string key, string reason)
    {
        lock (_lock) Damaged[key] = reason;
    }

    internal void AddArchived(string key, string storageClass)
    {
        lock (_lock) Archived[key] = storageClass;
    }
}

/// <summary>Progress of a copy: objects and bytes done out of what must be copied in the current phase.</summary>
public readonly record struct CopyProgress(string Phase, int ObjectsDone, int ObjectsTotal, long BytesDone);
