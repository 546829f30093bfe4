using Offsite.Codecs.Compression;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Storage;
using Offsite.Crypto.Age;

namespace Offsite.Core.Content;

/// <summary>
/// The read half of the content layer: blob id → pack → decrypt → decompress → verify id.
/// Keeps a few recently used decrypted packs (restores read blobs mostly in pack order). When a
/// pack fails authentication as a whole, each blob is decrypted on its own from the age STREAM
/// chunks it spans, so one flipped byte costs the blobs in one 64 KiB chunk, not the whole pack.
/// </summary>
public sealed class BlobLoader
{
    private readonly Repository.Repository _repo;
    private readonly int _maxCachedPacks;
    private readonly LinkedList<(string Id, Task<PackData> Data)> _lru = new();
    private readonly Lock _lock = new();

    public BlobLoader(Repository.Repository repository, int maxCachedPacks = 4)
    {
        _repo = repository;
        _maxCachedPacks = maxCachedPacks;
    }

    public async Task<byte[]> LoadAsync(BlobId id, CancellationToken cancellationToken)
    {
        var location = _repo.Index.Find(id)
            ?? throw new BlobDamagedException(id, null, $"blob {id.Short} is in no index (its pack is missing or was never indexed)");
        var pack = await GetPackAsync(location.Pack.Id, cancellationToken).ConfigureAwait(false);
        var entry = location.Entry;
        byte[] stored = pack.Read(entry, id);
        byte[] raw;
        if (entry.Compression == BlobCompression.Zstd)
        {
            raw = new byte[entry.RawLength];
            try
            {
                int n = Decompressor.Decompress(stored, raw);
                if (n != entry.RawLength)
                {
                    throw new InvalidDataException($"decompressed to {n} bytes, expected {entry.RawLength}");
                }
            }
            catch (InvalidDataException e)
            {
                throw new BlobDamagedException(id, location.Pack.Id, $"blob {id.Short} in pack {location.Pack.Id[..8]} does not decompress ({e.Message})", e);
            }
        }
        else
        {
            raw = stored;
        }
        if (BlobId.Compute(_repo.Key.BlobIdKey, raw) != id)
        {
            throw new BlobDamagedException(id, location.Pack.Id, $"blob {id.Short} in pack {location.Pack.Id[..8]} has wrong content");
        }
        return raw;
    }

    [ThreadStatic] private static ZstdDecompressor? t_decompressor;
    private static ZstdDecompressor Decompressor => t_decompressor ??= new ZstdDecompressor();

    private Task<PackData> GetPackAsync(string packId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            for (var node = _lru.First; node is not null; node = node.Next)
            {
                if (node.Value.Id == packId)
                {
                    _lru.Remove(node);
                    _lru.AddFirst(node);
                    return node.Value.Data;
                }
            }
            var task = FetchAsync(packId, cancellationToken);
            _lru.AddFirst((packId, task));
            while (_lru.Count > _maxCachedPacks)
            {
                _lru.RemoveLast();
            }
            return task;
        }
    }

    private async Task<PackData> FetchAsync(string packId, CancellationToken cancellationToken)
    {
        string key = ObjectKeys.Pack(packId);
        byte[] stored;
        try
        {
            stored = await _repo.Storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return PackData.Broken(packId, "is missing from the repository");
        }
        var identities = _repo.Identities;
        try
        {
            return PackData.Whole(packId, AgeFile.Decrypt(stored, identities));
        }
        catch (AgeException whole)
        {
            try
            {
                var header = AgeFile.ReadHeader(stored, identities);
                return PackData.Chunked(packId, header, stored, ObjectCodec.Describe(whole.Kind));
            }
            catch (AgeException e)
            {
                return PackData.Broken(packId, $"cannot be decrypted ({ObjectCodec.Describe(e.Kind)})");
            }
        }
    }

    /// <summary>A fetched pack: decrypted whole, readable chunk by chunk only, or unreadable.</summary>
    private sealed class PackData
    {
        private readonly string _packId;
        private readonly byte[]? _plaintext;
        private readonly AgeHeaderInfo? _header;
        private readonly byte[]? _stored;
        private readonly string _problem;

        private PackData(string packId, byte[]? plaintext, AgeHeaderInfo? header, byte[]? stored, string problem)
        {
            _packId = packId;
            _plaintext = plaintext;
            _header = header;
            _stored = stored;
            _problem = problem;
        }

        public static PackData Whole(string id, byte[] plaintext) => new(id, plaintext, null, null, "");
        public static PackData Chunked(string id, AgeHeaderInfo header, byte[] stored, string problem) => new(id, null, header, stored, problem);
        public static PackData Broken(string id, string problem) => new(id, null, null, null, problem);

        public byte[] Read(PackEntry entry, BlobId id)
        {
            if (_plaintext is not null)
            {
                if (entry.Offset + entry.Length > _plaintext.Length)
                {
                    throw new BlobDamagedException(id, _packId, $"blob {id.Short}: index points past the end of pack {_packId[..8]}");
                }
                return _plaintext.AsSpan((int)entry.Offset, entry.Length).ToArray();
            }
            if (_header is not null && _stored is not null)
            {
                lock (_header)
                {
                    try
                    {
                        var (offset, length) = _header.CipherRange(entry.Offset, entry.Length, _stored.Length);
                        return _header.DecryptRange(entry.Offset, entry.Length, _stored.AsSpan((int)offset, (int)length), _stored.Length);
                    }
                    catch (AgeException e)
                    {
                        throw new BlobDamagedException(id, _packId, $"blob {id.Short} in pack {_packId[..8]} is damaged ({ObjectCodec.Describe(e.Kind)})", e);
                    }
                }
            }
            throw new BlobDamagedException(id, _packId, $"blob {id.Short}: pack {_packId[..8]} {_problem}");
        }
    }
}

/// <summary>A blob cannot be read back intact; names the pack so the user knows what is damaged.</summary>
public sealed class BlobDamagedException : OffsiteException
{
    public BlobDamagedException(BlobId blob, string? packId, string message, Exception? inner = null)
        : base(ErrorKind.RepositoryDamaged, message, inner)
    {
        Blob = blob;
        PackId = packId;
    }

    public BlobId Blob { get; }
    public string? PackId { get; }
}
