namespace Offsite.Core.Prune;

/// <summary>
/// Every pack the scan met — listed in storage, named by an index, or both — numbered densely so per-pack figures are
/// plain arrays. Costs about 150 bytes per pack (a million packs is 16 TiB of data at the default pack size).
/// </summary>
public sealed class PackTable
{
    private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal);
    private readonly List<Pack> _packs = new();

    public int Count => _packs.Count;

    public Pack this[int number] => _packs[number];

    public IEnumerable<Pack> All => _packs;

    public int NumberOf(string id)
    {
        if (!_numbers.TryGetValue(id, out int n))
        {
            n = _packs.Count;
            _numbers[id] = n;
            _packs.Add(new Pack(id, n));
        }
        return n;
    }

    public Pack? Find(string id) => _numbers.TryGetValue(id, out int n) ? _packs[n] : null;

    /// <summary>What prune knows of one pack.</summary>
    public sealed class Pack(string id, int number)
    {
        public string Id { get; } = id;
        public int Number { get; } = number;
        /// <summary>Stored size, from the listing (or the index when not stored).</summary>
        public long Size { get; set; }
        public bool Stored { get; set; }
        public DateTimeOffset StoredAt { get; set; }
        public bool Indexed { get; set; }
        public DateTimeOffset Created { get; set; }
        public bool HasTrees { get; set; }
        public int Blobs { get; set; }
        public int UsedBlobs { get; set; }
        public long BlobBytes { get; set; }
        public long UsedBytes { get; set; }
        public long UnusedBytes => Math.Max(0, Size - UsedBytes);
    }
}
