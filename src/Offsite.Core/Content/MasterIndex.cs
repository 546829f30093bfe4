namespace Offsite.Core.Content;

/// <summary>
/// All known blob locations: blob id → (pack, entry in that pack's table). The pack tables themselves
/// (the full ids, offsets and lengths) live in a <see cref="PackTableFile"/> on disk, one numbered
/// record per blob. In memory there is one sorted array of 8-byte keys (the id's first 4 bytes and the
/// record's number), searched by bisection on the prefix; the record on disk confirms the full id.
/// Packs added since the array was last rebuilt sit in a dictionary that is folded into the array
/// once it holds a sixteenth as many blobs (so a load of N blobs costs O(N log N) and the dictionary
/// stays small). docs/design.md, "Memory", gives the cost per blob.
/// </summary>
public sealed class MasterIndex
{
    private const int MinimumFold = 64 * 1024;
    private readonly PackTableFile _tables;
    private readonly List<PackInfo> _packs = new();
    private readonly List<long> _packStarts = new();
    private readonly Dictionary<string, int> _packNumbers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private ulong[] _sorted = [];
    private readonly Dictionary<BlobId, uint> _recent = new();
    /// <summary>Positions in <see cref="_sorted"/> whose blob a newer copy in <see cref="_recent"/> replaces.</summary>
    private readonly HashSet<int> _replaced = new();

    /// <summary>An index whose pack tables go to a temporary file in the system's temporary directory.</summary>
    public MasterIndex() : this(Path.GetTempPath())
    {
    }

    /// <param name="scratchDirectory">where the pack table file is created (and at once unlinked)</param>
    public MasterIndex(string scratchDirectory) => _tables = new PackTableFile(scratchDirectory);

    public int BlobCount { get { lock (_lock) { return _sorted.Length - _replaced.Count + _recent.Count; } } }
    public int PackCount { get { lock (_lock) { return _packs.Count; } } }

    /// <summary>Every pack; each one's table is read from disk when enumerated.</summary>
    public IReadOnlyList<PackInfo> Packs { get { lock (_lock) { return _packs.ToList(); } } }

    public void Add(PackInfo pack)
    {
        lock (_lock)
        {
            if (_packNumbers.ContainsKey(pack.Id))
            {
                return;
            }
            var entries = pack.Entries;
            long first = _tables.Append(entries);
            if (first + entries.Count > uint.MaxValue)
            {
                throw new InvalidOperationException("more than 4 billion blobs in one index");
            }
            int number = _packs.Count;
            _packs.Add(pack with { Entries = new StoredPackEntries(_tables, first, entries.Count) });
            _packStarts.Add(first);
            _packNumbers[pack.Id] = number;
            for (int i = 0; i < entries.Count; i++)
            {
                var id = entries[i].Id;
                // A blob can be in several packs (concurrent writers, or re-uploaded past the refresh
                // horizon). The newest copy wins: it is the one lifecycle expiry deletes last.
                if (TryFind(id, out uint existing, out int sortedAt, out _))
                {
                    if (_packs[PackNumberOf(existing)].Created >= pack.Created) continue;
                    if (sortedAt >= 0) _replaced.Add(sortedAt);
                }
                _recent[id] = (uint)(first + i);
            }
            if (_recent.Count >= Math.Max(MinimumFold, _sorted.Length / 16))
            {
                Fold();
            }
        }
    }

    public bool Contains(BlobId id)
    {
        lock (_lock)
        {
            return TryFind(id, out _, out _, out _);
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

    /// <summary>The pack holding a blob, or null when none does: <see cref="Find"/> without reading the blob's entry.</summary>
    public PackInfo? FindPackOf(BlobId id)
    {
        lock (_lock)
        {
            return TryFind(id, out uint ordinal, out _, out _) ? _packs[PackNumberOf(ordinal)] : null;
        }
    }

    /// <summary>Where a blob is stored, or null when no pack holds it.</summary>
    public BlobLocation? Find(BlobId id)
    {
        lock (_lock)
        {
            if (!TryFind(id, out uint ordinal, out _, out var entry)) return null;
            // A blob found in the sorted array had its record read to confirm it; a recent one has not.
            return new BlobLocation(_packs[PackNumberOf(ordinal)], entry ?? _tables.Read(ordinal));
        }
    }

    /// <summary>
    /// The record number of <paramref name="id"/>, and its position in the sorted array (or -1 when it is
    /// among the recent ones): the recent dictionary first, then bisection to the first key with the id's
    /// prefix, each candidate confirmed against the full id on disk (a second candidate is rare: 1 in 2^32/N).
    /// <paramref name="entry"/> is the record that confirmed it, or null for a recent blob (no record was read).
    /// </summary>
    private bool TryFind(BlobId id, out uint ordinal, out int sortedAt, out PackEntry? entry)
    {
        sortedAt = -1;
        entry = null;
        if (_recent.TryGetValue(id, out ordinal)) return true;
        ulong low = (ulong)PrefixOf(id) << 32;
        int lo = 0, hi = _sorted.Length;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (_sorted[mid] < low) lo = mid + 1;
            else hi = mid;
        }
        for (int i = lo; i < _sorted.Length && (_sorted[i] >> 32) == (low >> 32); i++)
        {
            if (_replaced.Contains(i)) continue;
            uint candidate = (uint)_sorted[i];
            var record = _tables.Read(candidate);
            if (record.Id == id)
            {
                ordinal = candidate;
                sortedAt = i;
                entry = record;
                return true;
            }
        }
        ordinal = 0;
        return false;
    }

    private static uint PrefixOf(BlobId id) => (uint)(id.Prefix >> 32);

    /// <summary>The pack whose run of records holds <paramref name="ordinal"/>.</summary>
    private int PackNumberOf(uint ordinal)
    {
        int lo = 0, hi = _packStarts.Count - 1;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo + 1) >> 1);
            if (_packStarts[mid] <= ordinal) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// <summary>Merges the recent entries into a new sorted array, leaving out the ones they replace.</summary>
    private void Fold()
    {
        var recent = new ulong[_recent.Count];
        int r = 0;
        foreach (var (id, ordinal) in _recent)
        {
            recent[r++] = ((ulong)PrefixOf(id) << 32) | ordinal;
        }
        Array.Sort(recent);
        int[] replaced = [.. _replaced];
        Array.Sort(replaced);
        var merged = new ulong[_sorted.Length - replaced.Length + recent.Length];
        int s = 0, n = 0, m = 0, x = 0;
        while (s < _sorted.Length || n < recent.Length)
        {
            if (x < replaced.Length && s == replaced[x]) { s++; x++; continue; }
            if (n == recent.Length || (s < _sorted.Length && _sorted[s] <= recent[n])) merged[m++] = _sorted[s++];
            else merged[m++] = recent[n++];
        }
        _sorted = merged;
        _recent.Clear();
        _recent.TrimExcess();
        _replaced.Clear();
    }
}

/// <summary>A blob's pack and its entry in that pack.</summary>
public sealed record BlobLocation(PackInfo Pack, PackEntry Entry);
