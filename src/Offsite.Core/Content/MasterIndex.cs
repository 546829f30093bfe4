namespace Offsite.Core.Content;

/// <summary>
/// All known blob locations, in memory: blob id → (pack, offset, length). Entries are small
/// structs in one dictionary, so a million blobs cost tens of MiB, not hundreds.
/// </summary>
public sealed class MasterIndex
{
    private readonly Dictionary<BlobId, Location> _blobs = new();
    private readonly List<PackInfo> _packs = new();
    private readonly Dictionary<string, int> _packNumbers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int BlobCount { get { lock (_lock) { return _blobs.Count; } } }
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
            foreach (var e in pack.Entries)
            {
                // A blob can be in several packs (concurrent writers, or re-uploaded past the refresh
                // horizon). The newest copy wins: it is the one lifecycle expiry deletes last.
                if (!_blobs.TryGetValue(e.Id, out var existing) || _packs[existing.Pack].Created < pack.Created)
                {
                    _blobs[e.Id] = new Location(number, e);
                }
            }
        }
    }

    public bool Contains(BlobId id)
    {
        lock (_lock)
        {
            return _blobs.ContainsKey(id);
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
            return _blobs.TryGetValue(id, out var loc) ? new BlobLocation(_packs[loc.Pack], loc.Entry) : null;
        }
    }

    private readonly record struct Location(int Pack, PackEntry Entry);
}

/// <summary>A blob's pack and its entry in that pack.</summary>
public sealed record BlobLocation(PackInfo Pack, PackEntry Entry);
