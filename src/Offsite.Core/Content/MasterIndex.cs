namespace Offsite.Core.Content;

/// <summary>
/// All known blob locations, in memory: blob id → (pack, entry in that pack's table). Most entries
/// live in one sorted array of 16-byte records (the id's first 8 bytes, pack number, entry number),
/// searched by bisection on the prefix and confirmed against the full id in the pack's table, which
/// holds each id once anyway. Packs added since the array was last rebuilt sit in a dictionary that
/// is folded into the array once it holds a third as many blobs (so a load of N blobs costs
/// O(N log N) and the array never has slack). docs/design.md, "Memory", gives the cost per blob.
/// </summary>
public sealed class MasterIndex
{
    private const int MinimumFold = 16 * 1024;
    private readonly List<PackInfo> _packs = new();
    private readonly Dictionary<string, int> _packNumbers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private BlobRef[] _sorted = [];
    private readonly Dictionary<BlobId, BlobRef> _recent = new();

    public int BlobCount { get { lock (_lock) { return _sorted.Length + _recent.Count; } } }
    public int PackCount { get { lock (_lock) { return _packs.Count; } } }

    public IReadOnlyList<PackInfo> Packs { get { lock (_lock) { return _packs.ToList(); } } }

    public void Add(PackInfo pack)
    {
        lock (_lock)
        {
            if (_packNumbers.ContainsKey(pack.Id))
            {
                return;
            }
            int number = _packs.Count;
            _packs.Add(pack);
            _packNumbers[pack.Id] = number;
            for (int i = 0; i < pack.Entries.Count; i++)
            {
                var id = pack.Entries[i].Id;
                // A blob can be in several packs (concurrent writers, or re-uploaded past the refresh
                // horizon). The newest copy wins: it is the one lifecycle expiry deletes last.
                if (TryFind(id, out var existing) && _packs[existing.Pack].Created >= pack.Created)
                {
                    continue;
                }
                _recent[id] = new BlobRef(id.Prefix, number, i);
            }
            if (_recent.Count >= Math.Max(MinimumFold, _sorted.Length / 3))
            {
                Fold();
            }
        }
    }

    public bool Contains(BlobId id)
    {
        lock (_lock)
        {
            return TryFind(id, out _);
        }
    }

    public bool ContainsPack(string packId)
    {
        lock (_lock)
        {
            return _packNumbers.ContainsKey(packId);
        }
    }

    /// <summary>A pack and its blob table, or null when no index has it.</summary>
    public PackInfo? FindPack(string packId)
    {
        lock (_lock)
        {
            return _packNumbers.TryGetValue(packId, out int number) ? _packs[number] : null;
        }
    }

    /// <summary>Where a blob is stored, or null when no pack holds it.</summary>
    public BlobLocation? Find(BlobId id)
    {
        lock (_lock)
        {
            if (!TryFind(id, out var found)) return null;
            var pack = _packs[found.Pack];
            return new BlobLocation(pack, pack.Entries[found.Entry]);
        }
    }

    private bool TryFind(BlobId id, out BlobRef found)
    {
        if (_recent.TryGetValue(id, out found)) return true;
        int i = Search(_sorted, id);
        if (i >= 0)
        {
            found = _sorted[i];
            return true;
        }
        found = default;
        return false;
    }

    private BlobId IdOf(BlobRef r) => _packs[r.Pack].Entries[r.Entry].Id;

    /// <summary>The full order of ids: by prefix, and for the rare equal prefixes by the ids in the pack tables.</summary>
    private int Compare(BlobRef a, BlobRef b)
    {
        int c = a.Prefix.CompareTo(b.Prefix);
        return c != 0 ? c : IdOf(a).CompareTo(IdOf(b));
    }

    /// <summary>The index of the record for <paramref name="id"/>, or -1: bisect to the first record with its prefix, then confirm the full id.</summary>
    private int Search(BlobRef[] sorted, BlobId id)
    {
        ulong prefix = id.Prefix;
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (sorted[mid].Prefix < prefix) lo = mid + 1;
            else hi = mid;
        }
        for (int i = lo; i < sorted.Length && sorted[i].Prefix == prefix; i++)
        {
            if (IdOf(sorted[i]) == id) return i;
        }
        return -1;
    }

    /// <summary>Merges the recent entries into a new sorted array; a recent entry replaces a sorted one with its id (it is newer).</summary>
    private void Fold()
    {
        var recent = new BlobRef[_recent.Count];
        _recent.Values.CopyTo(recent, 0);
        Array.Sort(recent, Compare);
        int replaced = 0;
        foreach (var r in recent)
        {
            if (Search(_sorted, IdOf(r)) >= 0) replaced++;
        }
        var merged = new BlobRef[_sorted.Length + recent.Length - replaced];
        int s = 0, n = 0, m = 0;
        while (s < _sorted.Length || n < recent.Length)
        {
            if (n == recent.Length) { merged[m++] = _sorted[s++]; continue; }
            if (s == _sorted.Length) { merged[m++] = recent[n++]; continue; }
            int c = Compare(_sorted[s], recent[n]);
            if (c < 0) merged[m++] = _sorted[s++];
            else if (c > 0) merged[m++] = recent[n++];
            else { merged[m++] = recent[n++]; s++; }
        }
        _sorted = merged;
        _recent.Clear();
        _recent.TrimExcess();
    }

    /// <summary>Where a blob's entry is (pack number, index in the pack's table) and its id's first 8 bytes: 16 bytes.</summary>
    private readonly record struct BlobRef(ulong Prefix, int Pack, int Entry);
}

/// <summary>A blob's pack and its entry in that pack.</summary>
public sealed record BlobLocation(PackInfo Pack, PackEntry Entry);
