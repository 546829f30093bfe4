using System.Buffers;
using System.Collections;
using System.Runtime.InteropServices;
using Offsite.Codecs.Compression;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Storage;
using Offsite.Core.Trees;
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
    /// <summary>Packs a reader is working through (<see cref="Hold"/>): never evicted meanwhile.</summary>
    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly int _singleBlobReads;
    private readonly bool _localCopies;
    /// <summary>Blobs read one by one so far, per pack (see the constructor's singleBlobReads).</summary>
    private readonly Dictionary<string, int> _singleReads = new(StringComparer.Ordinal);
    /// <summary>Header prefixes of packs read one blob at a time, so each blob costs one request.</summary>
    private readonly Dictionary<string, Task<byte[]>> _prefixes = new(StringComparer.Ordinal);
    private const int MaxPrefixes = 64;
    private readonly bool _localTreeRanges;
    private readonly int _treeWindow;
    /// <summary>The part of a tree pack fetched last (<see cref="LoadFromWindowAsync"/>).</summary>
    private (string PackId, long Start, long End, Task<PackData> Data)? _window;
    /// <summary>Headers of cached tree packs read blob by blob (<see cref="ReadLocalRange"/>), by pack id.</summary>
    private readonly Dictionary<string, AgeHeaderInfo> _localHeaders = new(StringComparer.Ordinal);

    /// <param name="maxCachedPacks">how many fetched packs to keep</param>
    /// <param name="singleBlobReads">read up to this many blobs of a pack one by one (the header
    /// once, then one ranged read per blob) before fetching the whole pack; for walks that need a
    /// few blobs from large packs, like the trees along one path of a partial restore. 0: always whole.</param>
    /// <param name="localCopies">read tree packs from the local cache when it has them (not for
    /// check, which must read what the repository holds)</param>
    /// <param name="localTreeRanges">read each tree blob from the cached copy of its pack by itself
    /// (the header once per pack, then only the age chunks holding the blob) instead of decrypting
    /// the whole pack: a walk whose trees alternate between several tree packs (every backup that
    /// changed a directory writes one) re-read and decrypted a 16 MiB pack per alternation</param>
    /// <param name="treeWindow">read tree packs from the repository this many plaintext bytes at a time (one
    /// ranged read from the wanted blob on) instead of whole; 0: whole packs. For check, which must read the
    /// repository's copies: a whole tree pack held 13 MiB of plaintext, and as the packs filled with the
    /// tree count the walk's peak grew with it (3M-file check 125 MiB vs 100 MiB at 300k).</param>
    public BlobLoader(Repository.Repository repository, int maxCachedPacks = 2, int singleBlobReads = 0, bool localCopies = true, bool localTreeRanges = false,
        int treeWindow = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeWindow);
        _treeWindow = treeWindow;
        _localTreeRanges = localTreeRanges;
        _repo = repository;
        _maxCachedPacks = maxCachedPacks;
        _singleBlobReads = singleBlobReads;
        _localCopies = localCopies;
    }

    /// <summary>
    /// Pack buffers fetched between two forced collections. A fetched pack is a large-object array of up
    /// to the pack size (twice that when it is read whole: stored bytes and plaintext) that dies when a
    /// later one evicts it; left to itself the GC let walks over many tree packs carry hundreds of MiB
    /// of them. Four packs' worth keeps the peak near the live data, for milliseconds per collection.
    /// </summary>
    private readonly GarbageBudget _packGarbage = new(64L << 20);

    /// <summary>A blob's plaintext as an array of its own (trees, dumps, checks).</summary>
    public async Task<byte[]> LoadAsync(BlobId id, CancellationToken cancellationToken)
    {
        using var bytes = await LoadCoreAsync(id, pool: null, cancellationToken).ConfigureAwait(false);
        return MemoryMarshal.TryGetArray(bytes.Data, out var whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length
            ? whole.Array
            : bytes.Data.ToArray();
    }

    /// <summary>
    /// A tree, parsed from its plaintext on loan: a directory of a thousand files is a 200 KiB blob, and a
    /// walk that took each as an array of its own allocated a large object per directory (3M-file check:
    /// 3,000 of them, 600 MB of large-object churn).
    /// </summary>
    public async Task<Tree> LoadTreeAsync(BlobId id, CancellationToken cancellationToken)
    {
        using var bytes = await LoadPooledAsync(id, cancellationToken).ConfigureAwait(false);
        return Tree.Parse(bytes.Data.Span, $"tree {id.Short}");
    }

    /// <summary>
    /// A blob's plaintext on loan, for a reader that is done with it before the next (a restore's file
    /// writer): a decompressed blob goes into a buffer of this loader's pool, a stored one is a slice of
    /// its pack. Dispose the result to return the buffer.
    /// </summary>
    public Task<BlobBytes> LoadPooledAsync(BlobId id, CancellationToken cancellationToken) => LoadCoreAsync(id, _blobBuffers, cancellationToken);

    /// <summary>
    /// Buffers of decompressed blobs lent by <see cref="LoadPooledAsync"/> and <see cref="ReadPackAsync"/>,
    /// and of stored bytes streamed from packs: two per size class (a restore has two writers), so what
    /// the pools keep is a few MiB, not one large array per blob ever loaded.
    /// </summary>
    private readonly ArrayPool<byte> _blobBuffers = ArrayPool<byte>.Create(MaxPooledBlob, 1);
    private readonly ArrayPool<byte> _storedBuffers = ArrayPool<byte>.Create(MaxPooledBlob, 1);
    private const int MaxPooledBlob = 16 << 20;

    /// <summary>One blob of <see cref="ReadPackAsync"/>: its plaintext on loan (valid during the call), or why it is lost.</summary>
    public delegate ValueTask LoanVisitor(BlobId id, BlobBytes? bytes, BlobDamagedException? damage);

    /// <summary>
    /// Hands each of <paramref name="ids"/> (blobs the index places in pack <paramref name="packId"/>) to
    /// <paramref name="visit"/> once. When the pack is read whole anyway, it is streamed and each blob is
    /// handed on as soon as it is in, in the pack's order (<see cref="PackBlobStream"/>): a pack costs a
    /// blob's bytes in memory, not its 16 MiB plaintext. Otherwise (a few blobs of a large pack, a pack
    /// kept locally or already fetched) the blobs are loaded one by one while the pack is held, in id order.
    /// </summary>
    /// <param name="ids">the blobs; a <see cref="SortedBlobIds"/> is used as it is, anything else is sorted into one</param>
    public async Task ReadPackAsync(string packId, IReadOnlyCollection<BlobId> ids, LoanVisitor visit, CancellationToken cancellationToken)
    {
        // A pack of small files holds tens of thousands of blobs: one sorted array and a bit per blob,
        // not hash sets of ids.
        var wanted = ids as SortedBlobIds ?? SortedBlobIds.From(ids);
        var done = new BitArray(wanted.Count);
        if (_repo.Index.FindPack(packId) is { } pack)
        {
            var taken = new BitArray(wanted.Count);
            var entries = new List<PackEntry>(wanted.Count);
            foreach (var entry in pack.Entries)
            {
                int at = wanted.IndexOf(entry.Id);
                if (at >= 0 && !taken[at])
                {
                    taken[at] = true;
                    entries.Add(entry);
                }
            }
            entries.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
            if (ShouldStream(pack, entries) && await StreamBlobsAsync(pack, entries, visit, cancellationToken).ConfigureAwait(false))
            {
                if (entries.Count == wanted.Count)
                {
                    return;
                }
                done = taken;
            }
        }
        using var held = HoldCore(packId, id => wanted.IndexOf(id) is var at && at >= 0 && !done[at], cancellationToken);
        for (int i = 0; i < wanted.Count; i++)
        {
            if (done[i]) continue;
            BlobId id = wanted[i];
            BlobBytes? bytes = null;
            BlobDamagedException? damage = null;
            try
            {
                bytes = await LoadPooledAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobDamagedException e)
            {
                damage = e;
            }
            using (bytes)
            {
                await visit(id, bytes, damage).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A pack to stream: whole packs are wanted (not a few ranges), it is not kept locally, and not fetched already.</summary>
    /// <param name="entries">the pack's entries of the wanted blobs, in offset order</param>
    private bool ShouldStream(PackInfo pack, List<PackEntry> entries)
    {
        if (_singleBlobReads > 0 || (_localCopies && _repo.Cache.HasPack(pack.Id)))
        {
            return false;
        }
        lock (_lock)
        {
            if (_lru.Any(n => n.Id == pack.Id))
            {
                return false;
            }
        }
        return !PackRanges.Worthwhile(PackRanges.PlaintextRuns(entries), pack.Size);
    }

    /// <summary>Streams the pack and visits <paramref name="entries"/>; false when it must be read another way (nothing visited).</summary>
    private async Task<bool> StreamBlobsAsync(PackInfo pack, List<PackEntry> entries, LoanVisitor visit, CancellationToken cancellationToken)
    {
        Stream body;
        try
        {
            body = await _repo.Storage.OpenReadAsync(ObjectKeys.Pack(pack.Id), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return false; // the per-blob path reports each blob of a missing pack
        }
        await using (body.ConfigureAwait(false))
        {
            try
            {
                return await PackBlobStream.ReadAsync(pack.Id, body, pack.Size, _repo.Identities, entries, _storedBuffers,
                    (entry, stored, damage) => VisitStoredAsync(pack.Id, entry, stored, damage, visit), cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException)
            {
                return false; // gone between the open and the first read (a backend that opens lazily)
            }
        }
    }

    /// <summary>Turns a streamed blob's stored bytes into its plaintext (decompressed, id verified) and visits it.</summary>
    private async ValueTask VisitStoredAsync(string packId, PackEntry entry, ReadOnlyMemory<byte> stored, string? damage, LoanVisitor visit)
    {
        if (damage is not null)
        {
            await visit(entry.Id, null, new BlobDamagedException(entry.Id, packId, damage)).ConfigureAwait(false);
            return;
        }
        BlobBytes raw;
        try
        {
            raw = Plaintext(entry.Id, packId, entry, stored, _blobBuffers);
        }
        catch (BlobDamagedException e)
        {
            await visit(entry.Id, null, e).ConfigureAwait(false);
            return;
        }
        using (raw)
        {
            await visit(entry.Id, raw, null).ConfigureAwait(false);
        }
    }

    private async Task<BlobBytes> LoadCoreAsync(BlobId id, ArrayPool<byte>? pool, CancellationToken cancellationToken)
    {
        var location = _repo.Index.Find(id)
            ?? throw new BlobDamagedException(id, null, $"blob {id.Short} is in no index (its pack is missing or was never indexed)");
        var entry = location.Entry;
        if (_localTreeRanges && _localCopies && location.Pack.HoldsOnlyTrees && _repo.Cache.HasPack(location.Pack.Id))
        {
            byte[]? local = null;
            try
            {
                local = ReadLocalRange(location.Pack, entry);
            }
            catch (Exception e) when (e is AgeException or ArgumentOutOfRangeException)
            {
                // A damaged or unusual copy, or an entry past its end: the usual way below checks the
                // copy against its id, replaces it, and reports what the repository's copy lacks.
            }
            if (local is not null)
            {
                try
                {
                    return Plaintext(id, location.Pack.Id, entry, local, pool);
                }
                catch (BlobDamagedException)
                {
                    // The copy's bytes are wrong: read the pack the usual way.
                }
            }
        }
        if (_treeWindow > 0 && location.Pack.HoldsOnlyTrees && !(_localCopies && _repo.Cache.HasPack(location.Pack.Id))
            && (await LoadFromWindowAsync(location.Pack, entry, id, cancellationToken).ConfigureAwait(false)) is { } windowed)
        {
            return Plaintext(id, location.Pack.Id, entry, windowed, pool);
        }
        var pack = ReadsSingly(location.Pack.Id)
            ? await FetchRangesAsync(location.Pack, PackRanges.PlaintextRuns([entry]), cancellationToken).ConfigureAwait(false)
            : await GetPackAsync(location.Pack.Id, cancellationToken).ConfigureAwait(false);
        ReadOnlyMemory<byte> stored = pack.Read(entry, id)
            ?? (await GetPackAsync(location.Pack.Id, cancellationToken, wholeAnyway: true).ConfigureAwait(false)).Read(entry, id)!.Value;
        return Plaintext(id, location.Pack.Id, entry, stored, pool);
    }

    /// <summary>
    /// A blob's plaintext from its stored bytes: decompressed into a buffer from <paramref name="pool"/> (or a new
    /// array without one), or the stored bytes themselves; its id verified. Throws <see cref="BlobDamagedException"/>.
    /// </summary>
    private BlobBytes Plaintext(BlobId id, string packId, PackEntry entry, ReadOnlyMemory<byte> stored, ArrayPool<byte>? pool)
    {
        BlobBytes raw;
        if (entry.Compression == BlobCompression.Zstd)
        {
            raw = pool is null ? BlobBytes.Of(new byte[entry.RawLength]) : BlobBytes.Rented(pool.Rent(entry.RawLength), entry.RawLength, pool);
            try
            {
                int n = Decompressor.Decompress(stored.Span, MemoryMarshal.AsMemory(raw.Data).Span);
                if (n != entry.RawLength)
                {
                    throw new InvalidDataException($"decompressed to {n} bytes, expected {entry.RawLength}");
                }
            }
            catch (InvalidDataException e)
            {
                raw.Dispose();
                throw new BlobDamagedException(id, packId, $"blob {id.Short} in pack {packId[..8]} does not decompress ({e.Message})", e);
            }
        }
        else
        {
            raw = BlobBytes.Of(stored);
        }
        if (BlobId.Compute(_repo.Key.BlobIdKey, raw.Data.Span) != id)
        {
            raw.Dispose();
            throw new BlobDamagedException(id, packId, $"blob {id.Short} in pack {packId[..8]} has wrong content");
        }
        return raw;
    }

    [ThreadStatic] private static ZstdDecompressor? t_decompressor;
    private static ZstdDecompressor Decompressor => t_decompressor ??= new ZstdDecompressor();

    /// <summary>
    /// Announces which blobs of a pack are about to be read, and keeps the pack cached until the
    /// returned lease is disposed: with several readers, one starting a new pack must not evict
    /// the pack another is still reading (that fetched a 16 MiB pack twice in a restore). When the
    /// blobs are a small part of the pack, only the age chunks holding them are fetched (the
    /// header, then one ranged read per run of chunks): a partial restore moves kilobytes, not packs.
    /// </summary>
    public IDisposable Hold(string packId, IEnumerable<BlobId> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.ToHashSet();
        return HoldCore(packId, wanted.Contains, cancellationToken);
    }

    private IDisposable HoldCore(string packId, Func<BlobId, bool> wanted, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _held[packId] = _held.GetValueOrDefault(packId) + 1;
        }
        var lease = new Lease(this, packId);
        var pack = _repo.Index.FindPack(packId);
        if (pack is null)
        {
            return lease;
        }
        var runs = PackRanges.PlaintextRuns(pack.Entries.Where(e => wanted(e.Id)));
        if (!PackRanges.Worthwhile(runs, pack.Size))
        {
            return lease;
        }
        lock (_lock)
        {
            if (!_lru.Any(n => n.Id == packId))
            {
                Remember(packId, FetchRangesAsync(pack, runs, cancellationToken));
            }
        }
        return lease;
    }

    /// <summary>
    /// One blob's stored bytes from the cached copy of its pack: the header is read once per pack, then
    /// only the age chunks that hold the blob. Null when the copy is gone; AgeException when it is damaged.
    /// </summary>
    private byte[]? ReadLocalRange(PackInfo pack, PackEntry entry)
    {
        lock (_localHeaders)
        {
            if (!_localHeaders.TryGetValue(pack.Id, out var header))
            {
                byte[]? prefix = _repo.Cache.TryReadPackRange(pack.Id, 0, (int)Math.Min(PackRanges.HeaderPrefix, pack.Size));
                if (prefix is null)
                {
                    return null;
                }
                header = AgeFile.ReadHeader(prefix, _repo.Identities);
                if (_localHeaders.Count >= MaxPrefixes)
                {
                    foreach (var old in _localHeaders.Values) old.Dispose();
                    _localHeaders.Clear();
                }
                _localHeaders[pack.Id] = header;
            }
            var (offset, length) = header.CipherRange(entry.Offset, entry.Length, pack.Size);
            byte[]? cipher = _repo.Cache.TryReadPackRange(pack.Id, offset, (int)length);
            return cipher is null ? null : header.DecryptRange(entry.Offset, entry.Length, cipher, pack.Size);
        }
    }

    /// <summary>True while this pack's blobs are still read one by one (and it is not cached).</summary>
    /// <summary>
    /// A tree blob's stored bytes from the window of its pack fetched last, or from a new window that starts at
    /// the blob: a depth-first walk meets the trees of a pack in about the order the backup wrote them, so one
    /// window serves many. Null when the ranged read could not be used (the caller reads the pack whole).
    /// </summary>
    private async Task<ReadOnlyMemory<byte>?> LoadFromWindowAsync(PackInfo pack, PackEntry entry, BlobId id, CancellationToken cancellationToken)
    {
        Task<PackData> data;
        lock (_lock)
        {
            if (_window is { } w && w.PackId == pack.Id && w.Start <= entry.Offset && entry.Offset + entry.Length <= w.End)
            {
                data = w.Data;
            }
            else
            {
                long length = Math.Max(entry.Length, _treeWindow);
                data = FetchRangesAsync(pack, [(entry.Offset, length)], cancellationToken);
                _window = (pack.Id, entry.Offset, entry.Offset + length, data);
            }
        }
        return (await data.ConfigureAwait(false)).Read(entry, id);
    }

    private bool ReadsSingly(string packId)
    {
        if (_singleBlobReads == 0)
        {
            return false;
        }
        if (_localCopies && _repo.Cache.HasPack(packId))
        {
            return false; // a local copy costs no request
        }
        lock (_lock)
        {
            if (_lru.Any(n => n.Id == packId))
            {
                return false;
            }
            int reads = _singleReads.GetValueOrDefault(packId) + 1;
            _singleReads[packId] = reads;
            return reads <= _singleBlobReads;
        }
    }

    private Task<byte[]> GetPrefixAsync(PackInfo pack, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_prefixes.TryGetValue(pack.Id, out var prefix))
            {
                if (_prefixes.Count >= MaxPrefixes)
                {
                    _prefixes.Clear();
                }
                prefix = _repo.Storage.GetRangeAsync(ObjectKeys.Pack(pack.Id), 0, (int)Math.Min(PackRanges.HeaderPrefix, pack.Size), cancellationToken);
                _prefixes[pack.Id] = prefix;
            }
            return prefix;
        }
    }

    private void Release(string packId)
    {
        lock (_lock)
        {
            if (--_held[packId] == 0)
            {
                _held.Remove(packId);
            }
            Evict();
        }
    }

    private sealed class Lease(BlobLoader loader, string packId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                loader.Release(packId);
            }
        }
    }

    private Task<PackData> GetPackAsync(string packId, CancellationToken cancellationToken, bool wholeAnyway = false)
    {
        lock (_lock)
        {
            for (var node = _lru.First; node is not null; node = node.Next)
            {
                if (node.Value.Id == packId)
                {
                    _lru.Remove(node);
                    if (wholeAnyway)
                    {
                        break;
                    }
                    _lru.AddFirst(node);
                    return node.Value.Data;
                }
            }
            var task = FetchAsync(packId, cancellationToken);
            Remember(packId, task);
            return task;
        }
    }

    private void Remember(string packId, Task<PackData> task)
    {
        _lru.AddFirst((packId, task));
        Evict();
    }

    /// <summary>Drops least recently used packs beyond the limit, skipping held ones.</summary>
    private void Evict()
    {
        for (var node = _lru.Last; node is not null && _lru.Count > _maxCachedPacks;)
        {
            var previous = node.Previous;
            if (!_held.ContainsKey(node.Value.Id))
            {
                _lru.Remove(node);
            }
            node = previous;
        }
    }

    private async Task<PackData> FetchRangesAsync(PackInfo pack, List<(long Offset, long Length)> runs, CancellationToken cancellationToken)
    {
        string key = ObjectKeys.Pack(pack.Id);
        var identities = _repo.Identities;
        try
        {
            byte[] prefix = await GetPrefixAsync(pack, cancellationToken).ConfigureAwait(false);
            AgeHeaderInfo header;
            try
            {
                header = AgeFile.ReadHeader(prefix, identities);
            }
            catch (AgeException e) when (e.Kind == AgeErrorKind.Truncated && prefix.Length < pack.Size)
            {
                // An unusually long header (many stanzas): read the whole pack the usual way.
                return await FetchAsync(pack.Id, cancellationToken).ConfigureAwait(false);
            }
            long plainTotal = header.PlaintextLength(pack.Size);
            var segments = new List<PackRanges.Segment>();
            foreach (var (offset, length) in runs)
            {
                if (offset >= plainTotal)
                {
                    continue; // the index claims more than the pack holds: Read reports the blob as damaged
                }
                var (cipherOffset, cipherLength) = header.CipherRange(offset, Math.Min(length, plainTotal - offset), pack.Size);
                byte[] bytes = await _repo.Storage.GetRangeAsync(key, cipherOffset, (int)cipherLength, cancellationToken).ConfigureAwait(false);
                segments.Add(new PackRanges.Segment(cipherOffset, bytes));
            }
            return PackData.Ranged(pack.Id, header, segments, pack.Size);
        }
        catch (ObjectNotFoundException)
        {
            return PackData.Broken(pack.Id, "is missing from the repository");
        }
        catch (AgeException e)
        {
            return PackData.Broken(pack.Id, $"cannot be decrypted ({ObjectCodec.Describe(e.Kind)})");
        }
    }

    private async Task<PackData> FetchAsync(string packId, CancellationToken cancellationToken)
    {
        string key = ObjectKeys.Pack(packId);
        var info = _repo.Index.FindPack(packId);
        bool cacheable = _localCopies && info?.HoldsOnlyTrees == true;
        byte[]? stored = cacheable ? _repo.Cache.TryReadPack(packId) : null;
        if (stored is null && !cacheable && info is not null && await StreamAsync(key, info, cancellationToken).ConfigureAwait(false) is { } streamed)
        {
            return streamed;
        }
        if (stored is null)
        {
            try
            {
                stored = await _repo.Storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException)
            {
                return PackData.Broken(packId, "is missing from the repository");
            }
            if (cacheable && ObjectKeys.IdFor(stored) == packId)
            {
                _repo.Cache.WritePack(packId, stored);
            }
        }
        var identities = _repo.Identities;
        _packGarbage.Add(2L * stored.Length);
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

    /// <summary>
    /// Reads a pack that is not kept locally as it streams in (<see cref="PackStream"/>): its
    /// plaintext is all it costs in memory. Null when it has to be read whole after all.
    /// </summary>
    private async Task<PackData?> StreamAsync(string key, PackInfo info, CancellationToken cancellationToken)
    {
        try
        {
            var body = await _repo.Storage.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                _packGarbage.Add(info.Size);
                return await PackStream.ReadAsync(info.Id, body, info.Size, _repo.Identities, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ObjectNotFoundException)
        {
            return PackData.Broken(info.Id, "is missing from the repository");
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
