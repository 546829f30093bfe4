namespace Offsite.Core.Check;

/// <summary>What <c>check</c> found. Errors mean data is or may be lost; warnings mean space is wasted.</summary>
public sealed class CheckReport
{
    public List<string> Errors { get; } = new();
    public List<string> Warnings { get; } = new();
    /// <summary>Damaged or missing packs, with the reason.</summary>
    public SortedDictionary<string, string> DamagedPacks { get; } = new(StringComparer.Ordinal);
    /// <summary>Snapshots that reference data in a damaged or missing pack, or whose trees are damaged.</summary>
    public SortedSet<string> AffectedSnapshots { get; } = new(StringComparer.Ordinal);
    /// <summary>Packs not read because they sit in an archive storage class (not damage): pack id → class.</summary>
    public SortedDictionary<string, string> ArchivedPacks { get; } = new(StringComparer.Ordinal);
    public int Snapshots { get; set; }
    /// <summary>Snapshots past their lifecycle validity, not checked.</summary>
    public int ExpiredSnapshots { get; set; }
    public int Packs { get; set; }
    public long BlobsRead { get; set; }
    public bool Ok => Errors.Count == 0;

    internal void Error(string message)
    {
        lock (Errors) Errors.Add(message);
    }

    internal void ArchivedPack(string packId, string storageClass)
    {
        lock (ArchivedPacks)
        {
            ArchivedPacks[packId] = storageClass;
        }
    }

    internal void DamagedPack(string packId, string reason)
    {
        lock (DamagedPacks)
        {
            if (DamagedPacks.TryAdd(packId, reason))
            {
                Error($"pack {packId}: {reason}");
            }
        }
    }
}
