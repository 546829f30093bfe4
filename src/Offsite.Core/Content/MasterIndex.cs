namespace Offsite.Core.Content;

/// <summary>
/// All known blob locations: blob id → (pack, entry in that pack's table). The pack tables themselves
/// (the full ids, offsets and lengths) live in a <see cref="PackTableFile"/> on disk, one numbered
/// record per blob. In memory there is one sorted array of 8-byte keys (the id's first 4 bytes and the
/// record's number), searched by bisection on the prefix; the record on disk confirms the full id.
/// Packs added since the array was last rebuilt sit in a dictionary that is folded into the array
/// once it holds a sixteenth as many blobs (so a backup's new packs cost O(N log N) and the dictionary
/// stays small). Loading many index objects goes through <see cref="AddDeferred"/> instead: keys are
/// appended unchecked and sorted and merged once, at the next lookup. docs/design.md, "Memory", gives
/// the cost per blob.
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
    /// <summary>Keys of packs added by <see cref="AddDeferred"/>, not yet merged: full chunks, the last one filling.</summary>
    private readonly List<ulong[]> _deferred = new();
    private int _deferredInLast;
    /// <summary>1 MiB a chunk: large enough to live on the large-object heap (never copied by the GC), small enough to waste little.</summary>
    private const int DeferredChunk = 128 * 1024;

    /// <summary>An index whose pack tables go to a temporary file in the system's temporary directory.</summary>
    public MasterIndex() : this(Path.GetTempPath())
    {
    }

    /// <param name="scratchDirectory">where the pack table file is created (and at once unlinked)</param>
    public MasterIndex(string scratchDirectory) => _tables = new PackTableFile(scratchDirectory);

    public int BlobCount { get { lock (_lock) { MergeDeferred(); return _sorted.Length - _replaced.Count + _recent.Count; } } }
    public int PackCount { get { lock (_lock) { return _packs.Count; } } }

    /// <summary>Every pack; each one's table is read from disk when enumerated.</summary>
    public IReadOnlyList<PackInfo> Packs { get { lock (_lock) { return _packs.ToList(); } } }

    public void Add(PackInfo pack)
    {
        lock (_lock)
        {
            MergeDeferred();
            if (AppendPack(pack) is not { } first)
            {
                return;
            }
            var entries = pack.Entries;
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

    /// <summary>
    /// Adds a pack without looking its blobs up: they are sorted into the array with every other deferred
    /// pack's at the next lookup, and a blob in several packs keeps its newest copy then, as with <see cref="Add"/>.
    /// For loading index objects: checking each blob as it came, and folding a sixteenth at a time, rebuilt
    /// the array ~60 times while 3 M blobs loaded (~380 MB of large arrays).
    /// </summary>
    public void AddDeferred(PackInfo pack)
    {
        lock (_lock)
        {
            if (AppendPack(pack) is not { } first)
            {
                return;
            }
            var entries = pack.Entries;
            for (int i = 0; i < entries.Count; i++)
            {
                if (_deferred.Count == 0 || _deferredInLast == DeferredChunk)
                {
                    _deferred.Add(new ulong[DeferredChunk]);
                    _deferredInLast = 0;
                }
                _deferred[^1][_deferredInLast++] = Key(entries[i].Id, (uint)(first + i));
            }
        }
    }

    /// <summary>Records a pack's table on disk and numbers the pack; null when the index has the pack already.</summary>
    private long? AppendPack(PackInfo pack)
    {
        if (_packNumbers.ContainsKey(pack.Id))
        {
            return null;
        }
        var entries = pack.Entries;
        if (_tables.Count + entries.Count > uint.MaxValue)
        {
            throw new InvalidOperationException("more than 4 billion blobs in one index");
        }
        long first = _tables.Append(entries);
        int number = _packs.Count;
        _packs.Add(pack with { Entries = new StoredPackEntries(_tables, first, entries.Count) });
        _packStarts.Add(first);
        _packNumbers[pack.Id] = number;
        return first;
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
        MergeDeferred();
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

    private static ulong Key(BlobId id, uint ordinal) => ((ulong)PrefixOf(id) << 32) | ordinal;

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

    /// <summary>Folds the deferred packs' keys into the array before a lookup (see <see cref="Fold"/>).</summary>
    private void MergeDeferred()
    {
        if (_deferred.Count > 0)
        {
            Fold();
        }
    }

    /// <summary>Compacts sorted keys to one per blob (see <see cref="Fold"/>); returns how many remain.</summary>
    private int KeepNewestCopies(ulong[] keys)
    {
        int kept = 0;
        int i = 0;
        while (i < keys.Length)
        {
            int end = i + 1;
            while (end < keys.Length && (keys[end] >> 32) == (keys[i] >> 32)) end++;
            if (end - i == 1)
            {
                keys[kept++] = keys[i];
            }
            else
            {
                // A shared prefix: the same blob in several packs, or (rarely) different blobs.
                var group = new List<(BlobId Id, ulong Key, DateTimeOffset Created)>(end - i);
                for (int k = i; k < end; k++)
                {
                    uint ordinal = (uint)keys[k];
                    group.Add((_tables.Read(ordinal).Id, keys[k], _packs[PackNumberOf(ordinal)].Created));
                }
                int groupStart = kept;
                foreach (var copies in group.GroupBy(g => g.Id))
                {
                    // Keys sort by ordinal within a prefix, so among equally new copies the first added wins.
                    var newest = copies.First();
                    foreach (var copy in copies)
                    {
                        if (copy.Created > newest.Created) newest = copy;
                    }
                    keys[kept++] = newest.Key;
                }
                // The kept keys of one prefix stay in key order, as the lookup's scan of a prefix expects.
                Array.Sort(keys, groupStart, kept - groupStart);
            }
            i = end;
        }
        return kept;
    }

    /// <summary>
    /// Merges the new keys (the recent ones' and the deferred ones') into a new sorted array, leaving out
    /// the array's entries that recent ones replace: the new keys are sorted, then merged with the array in
    /// one pass (a first load, with an empty array, takes the sorted new keys as they are). Deferred keys
    /// were never checked, so then each blob keeps one copy: the one in the newest pack, the first added
    /// among equals (as <see cref="Add"/> decides). Copies of a blob share their prefix, so they end up
    /// side by side; only keys sharing a prefix have their records read to compare the full ids (at 3 M
    /// blobs, ~1,000 pairs).
    /// </summary>
    private void Fold()
    {
        bool deferred = _deferred.Count > 0;
        var fresh = new ulong[_recent.Count + (deferred ? (long)(_deferred.Count - 1) * DeferredChunk + _deferredInLast : 0)];
        int r = 0;
        foreach (var (id, ordinal) in _recent)
        {
            fresh[r++] = Key(id, ordinal);
        }
        for (int c = 0; c < _deferred.Count; c++)
        {
            int length = c == _deferred.Count - 1 ? _deferredInLast : DeferredChunk;
            _deferred[c].AsSpan(0, length).CopyTo(fresh.AsSpan(r));
            r += length;
        }
        _deferred.Clear();
        _deferredInLast = 0;
        Array.Sort(fresh);
        ulong[] merged;
        if (_sorted.Length == 0)
        {
            merged = fresh;
        }
        else
        {
            int[] replaced = [.. _replaced];
            Array.Sort(replaced);
            merged = new ulong[_sorted.Length - replaced.Length + fresh.Length];
            int s = 0, n = 0, m = 0, x = 0;
            while (s < _sorted.Length || n < fresh.Length)
            {
                if (x < replaced.Length && s == replaced[x]) { s++; x++; continue; }
                if (n == fresh.Length || (s < _sorted.Length && _sorted[s] <= fresh[n])) merged[m++] = _sorted[s++];
                else merged[m++] = fresh[n++];
            }
        }
        _recent.Clear();
        _recent.TrimExcess();
        _replaced.Clear();
        if (deferred)
        {
            int kept = KeepNewestCopies(merged);
            merged = kept == merged.Length ? merged : merged[..kept];
        }
        _sorted = merged;
    }
}

/// <summary>A blob's pack and its entry in that pack.</summary>
public sealed record BlobLocation(PackInfo Pack, PackEntry Entry);
