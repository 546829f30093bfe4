namespace Offsite.Core.Prune;

/// <summary>What a prune run found and did (or, dry, would do).</summary>
public sealed class PruneReport
{
    public bool DryRun { get; set; }
    public int Snapshots { get; set; }
    public int ExpiredSnapshots { get; set; }
    public long Blobs { get; set; }
    public long UsedBlobs { get; set; }
    public int Packs { get; set; }
    public long StoredBytes { get; set; }

    // sweep: generations whose grace period is over
    public int SweptGenerations { get; set; }
    public int DeletedPacks { get; set; }
    public long DeletedBytes { get; set; }
    public int RescuedPacks { get; set; }
    public int IndexesRewritten { get; set; }
    /// <summary>Objects kept because their Object Lock retention has not passed, with the date they become deletable.</summary>
    public List<(string Key, DateTimeOffset Until)> Locked { get; } = new();

    // mark
    public int Generation { get; set; }
    public int CondemnedPacks { get; set; }
    public long CondemnedBytes { get; set; }
    public int RepackedPacks { get; set; }
    public long RepackedBytes { get; set; }
    /// <summary>Garbage inside the repacked packs (freed when they are deleted).</summary>
    public long RepackFreesBytes { get; set; }
    public DateTimeOffset? DeleteAfter { get; set; }

    // still waiting
    public int PendingPacks { get; set; }
    public DateTimeOffset? NextDeleteAfter { get; set; }

    public List<string> Notes { get; } = new();

    /// <summary>Bytes deleted now plus bytes that will be freed when the condemned packs are deleted.</summary>
    public long FreedOrToFreeBytes => DeletedBytes + CondemnedBytes;
}
