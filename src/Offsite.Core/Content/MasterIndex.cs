namespace Offsite.Core.Content;

/// <summary>
/// All known blob locations: blob id → (pack, entry in that pack's table). The pack tables themselves
/// (the full ids, offsets and lengths) live in a <see cref="PackTableFile"/> on disk, one numbered
/// record per blob. The 8-byte keys (the id's first 4 bytes and the record's number) are sorted
/// (<see cref="SortedKeys"/>: an array while they are few, a file of blocks beyond that), searched by
/// bisection on the prefix; the record on disk confirms the full id.
/// Packs added since the keys were last rebuilt sit in a dictionary that is folded into them
/// once it holds a sixteenth as many blobs (so a backup's new packs cost O(N log N) and the dictionary
/// stays small). Loading many index objects goes through <see cref="AddDeferred"/> instead: keys are
/// appended unchecked (<see cref="DeferredKeys"/>) and merged once, at the next lookup. docs/design.md,
/// "Memory", gives the cost per blob.
/// </summary>
public sealed class MasterIndex
{
    private const int MinimumFold = 64 * 1024;
    /// <summary>Keys kept in an array rather than a file: 4 MiB.</summary>
    internal const long DefaultKeysInMemory = 512 * 1024;
    /// <summary>1 MiB of deferred keys in memory before they are sorted and written out as a run.</summary>
    internal const int DefaultDeferredChunk = 128 * 1024;
    private readonly string _scratchDirectory;
    private readonly long _keysInMemory;
    private readonly int _deferredChunk;
    private readonly PackTableFile _tables;
    private readonly List<PackInfo> _packs = new();
    private readonly List<long> _packStarts = new();
    private readonly Dictionary<string, int> _packNumbers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private SortedKeys _sorted = SortedKeys.Empty();
    private readonly Dictionary<BlobId, uint> _recent = new();
    /// <summary>Positions in <see cref="_sorted"/> whose blob a newer copy in <see cref="_recent"/> replaces.</summary>
    private readonly HashSet<long> _replaced = new();
    /// <summary>Keys of packs added by <see cref="AddDeferred"/>, not yet merged.</summary>
    private DeferredKeys _deferred;

    /// <summary>An index whose pack tables go to a temporary file in the system's temporary directory.</summary>
    public MasterIndex() : this(Path.GetTempPath())
    {
    }

    /// <param name="scratchDirectory">where the pack table file is created (and at once unlinked)</param>
    public MasterIndex(string scratchDirectory) : this(scratchDirectory, DefaultKeysInMemory, DefaultDeferredChunk)
    {
    }

    /// <param name="keysInMemory">up to this many sorted keys stay in an array; more go to a file</param>
    /// <param name="deferredChunk">deferred keys held in memory before a run of them is written out</param>
    internal MasterIndex(string scratchDirectory, long keysInMemory, int deferredChunk)
    {
        _scratchDirectory = scratchDirectory;
        _keysInMemory = keysInMemory;
        _deferredChunk = deferredChunk;
        _tables = new PackTableFile(scratchDirectory);
        _deferred = new DeferredKeys(scratchDirectory, deferredChunk);
    }

    public int BlobCount { get { lock (_lock) { MergeDeferred(); return (int)(_sorted.Count - _replaced.Count + _recent.Count); } } }

    /// <summary>Whether the sorted keys are in a file (tests and measurements).</summary>
    internal bool KeysOnDisk { get { lock (_lock) { MergeDeferred(); return _sorted.OnDisk; } } }
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
                if (TryFind(id, out uint existing, out long sortedAt, out _))
                {
                    if (_packs[PackNumberOf(existing)].Created >= pack.Created) continue;
                    if (sortedAt >= 0) _replaced.Add(sortedAt);
                }
                _recent[id] = (uint)(first + i);
            }
            if (_recent.Count >= Math.Max(MinimumFold, _sorted.Count / 16))
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
                _deferred.Add(Key(entries[i].Id, (uint)(first + i)));
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
    private bool TryFind(BlobId id, out uint ordinal, out long sortedAt, out PackEntry? entry)
    {
        MergeDeferred();
        sortedAt = -1;
        entry = null;
        if (_recent.TryGetValue(id, out ordinal)) return true;
        uint prefix = PrefixOf(id);
        for (long i = _sorted.LowerBound((ulong)prefix << 32); i < _sorted.Count; i++)
        {
            ulong key = _sorted[i];
            if ((key >> 32) != prefix) break;
            if (_replaced.Contains(i)) continue;
            uint candidate = (uint)key;
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

    /// <summary>Folds the deferred packs' keys into the sorted keys before a lookup (see <see cref="Fold"/>).</summary>
    private void MergeDeferred()
    {
        if (_deferred.Count > 0)
        {
            Fold();
        }
    }

    /// <summary>
    /// Merges the new keys (the recent ones' and the deferred ones') with the sorted keys into new sorted
    /// keys, leaving out the entries that recent ones replace: the recent keys are sorted, the deferred ones
    /// are sorted runs already, and all are merged in one pass that writes the result as it goes (to a file
    /// when there are many; the old file is closed after). Deferred keys were never checked, so then each
    /// blob keeps one copy: the one in the newest pack, the first added among equals (as <see cref="Add"/>
    /// decides). Copies of a blob share their prefix, so they come out side by side; only keys sharing a
    /// prefix have their records read to compare the full ids (at 3 M blobs, ~1,000 pairs).
    /// </summary>
    private void Fold()
    {
        bool deferred = _deferred.Count > 0;
        var fresh = new ulong[_recent.Count];
        int r = 0;
        foreach (var (id, ordinal) in _recent)
        {
            fresh[r++] = Key(id, ordinal);
        }
        Array.Sort(fresh);
        long[] replaced = [.. _replaced];
        Array.Sort(replaced);
        var runs = new List<ISortedRun<ulong>>(_deferred.Runs());
        runs.Add(_sorted.OpenCursor(replaced));
        runs.Add(RunCursor<ulong>.Over(fresh, fresh.Length));
        long capacity = _sorted.Count - replaced.Length + fresh.Length + _deferred.Count;
        using var builder = new SortedKeys.Builder(_scratchDirectory, capacity, _keysInMemory);
        if (deferred)
        {
            AddNewestCopies(SortedRuns.Merge(runs), builder);
        }
        else
        {
            foreach (ulong key in SortedRuns.Merge(runs))
            {
                builder.Add(key);
            }
        }
        var old = _sorted;
        _sorted = builder.Build();
        old.Dispose();
        _deferred.Dispose();
        _deferred = new DeferredKeys(_scratchDirectory, _deferredChunk);
        _recent.Clear();
        _recent.TrimExcess();
        _replaced.Clear();
    }

    /// <summary>Adds sorted keys to <paramref name="builder"/>, one per blob (see <see cref="Fold"/>).</summary>
    private void AddNewestCopies(IEnumerable<ulong> sortedKeys, SortedKeys.Builder builder)
    {
        var group = new List<ulong>();
        foreach (ulong key in sortedKeys)
        {
            if (group.Count > 0 && (group[0] >> 32) != (key >> 32))
            {
                AddNewestOfGroup(group, builder);
                group.Clear();
            }
            group.Add(key);
        }
        if (group.Count > 0)
        {
            AddNewestOfGroup(group, builder);
        }
    }

    /// <summary>Keys sharing a prefix: the same blob in several packs, or (rarely) different blobs.</summary>
    private void AddNewestOfGroup(List<ulong> group, SortedKeys.Builder builder)
    {
        if (group.Count == 1)
        {
            builder.Add(group[0]);
            return;
        }
        var copies = new List<(BlobId Id, ulong Key, DateTimeOffset Created)>(group.Count);
        foreach (ulong key in group)
        {
            uint ordinal = (uint)key;
            copies.Add((_tables.Read(ordinal).Id, key, _packs[PackNumberOf(ordinal)].Created));
        }
        var kept = new List<ulong>(group.Count);
        foreach (var blob in copies.GroupBy(c => c.Id))
        {
            // Keys sort by ordinal within a prefix, so among equally new copies the first added wins.
            var newest = blob.First();
            foreach (var copy in blob)
            {
                if (copy.Created > newest.Created) newest = copy;
            }
            kept.Add(newest.Key);
        }
        // The kept keys of one prefix stay in key order, as the lookup's scan of a prefix expects.
        kept.Sort();
        foreach (ulong key in kept)
        {
            builder.Add(key);
        }
    }
}

/// <summary>A blob's pack and its entry in that pack.</summary>
public sealed record BlobLocation(PackInfo Pack, PackEntry Entry);
