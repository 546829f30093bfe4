using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Offsite.Core.Cache;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Keys;
using Offsite.Core.Snapshots;
using Offsite.Core.Storage;
using Offsite.Crypto.Age;

namespace Offsite.Core.Repository;

/// <summary>
/// An opened repository: storage, config, the client's key, the local cache and (once loaded)
/// the index of every blob. Everything above this layer goes through it.
/// </summary>
public sealed class Repository
{
    private Repository(IStorage storage, RepositoryConfig config, RepositoryKey key, string? keyId, LocalCache cache, RuntimeContext runtime)
    {
        Runtime = runtime;
        Storage = storage;
        Config = config;
        Key = key;
        KeyId = keyId;
        Cache = cache;
        Index = new MasterIndex(ScratchDirectory);
    }

    /// <summary>
    /// Where this process keeps its unlinked working files (the index's pack tables, packs being
    /// sealed): next to the cache (a disk, usually) or, without one, in the temporary directory.
    /// </summary>
    public string ScratchDirectory => Cache.Directory ?? Runtime.TempDirectory;

    /// <summary>
    /// Where packs and index objects are sealed before they are stored: on the storage's own file system
    /// when it can adopt the finished file (a local repository: the object is written once, not written
    /// and copied), else <see cref="ScratchDirectory"/>.
    /// </summary>
    public string SealingDirectory => Storage is Offsite.Core.Storage.IAdoptsFiles adopting ? adopting.ScratchDirectory : ScratchDirectory;

    /// <summary>Clock, host and logger of the process that opened it.</summary>
    public RuntimeContext Runtime { get; }

    public IStorage Storage { get; }
    public RepositoryConfig Config { get; }
    public RepositoryKey Key { get; }
    /// <summary>The keys/ object the passphrase opened, or null for a key file.</summary>
    public string? KeyId { get; }
    public LocalCache Cache { get; }
    public MasterIndex Index { get; }

    /// <summary>
    /// Packs a new snapshot must not reference: condemned by a prune (docs/format.md, "Forget and prune"), or being
    /// repacked. Loading the index leaves them out, and <see cref="CanReuse"/> never answers yes for a blob in one.
    /// </summary>
    public IReadOnlySet<string> ExcludedPacks { get; set; } = new HashSet<string>();

    // Ids, not PackInfo objects: a pack this process wrote carries its whole blob table in memory
    // (56 bytes a blob, 168 MiB over an initial backup of 3 M files), and only the id is needed here.
    private readonly HashSet<string> _reusedPacks = new(StringComparer.Ordinal);

    /// <summary>Records a pack this process wrote: a new snapshot references it as surely as a reused one.</summary>
    public void NoteReferencedPack(PackInfo pack)
    {
        lock (_reusedPacks)
        {
            _reusedPacks.Add(pack.Id);
        }
    }

    /// <summary>
    /// Ids of the packs this process wrote or reused blobs from (<see cref="CanReuse"/>): what its snapshot may
    /// reference, which a backup's commit check compares with what a concurrent prune condemned.
    /// </summary>
    public IReadOnlySet<string> ReusedPackIds
    {
        get
        {
            lock (_reusedPacks)
            {
                return _reusedPacks.ToHashSet(StringComparer.Ordinal);
            }
        }
    }
    public IReadOnlyList<IIdentity> Identities => [Key.Identity];

    /// <summary>
    /// Throws the write-only key error when the key cannot decrypt. Called before the first request a
    /// reading command makes, so the answer does not depend on what the storage credentials may list.
    /// </summary>
    public void RequireReadAccess() => _ = Key.Identity;

    /// <summary>
    /// Objects this process found damaged and stepped over (object key → reason): one bad snapshot or
    /// index must not block the others. Each is also logged as a warning; <c>check</c> reports them as errors.
    /// </summary>
    public DamagedObjects Damaged { get; } = new();

    public static Task<Repository> InitAsync(IStorage storage, string passphrase, RepositoryConfig template, string? cacheBase, CancellationToken cancellationToken) =>
        InitAsync(storage, passphrase, template, cacheBase, RuntimeContext.Default, cancellationToken);

    public static async Task<Repository> InitAsync(IStorage storage, string passphrase, RepositoryConfig template, string? cacheBase, RuntimeContext runtime, CancellationToken cancellationToken)
    {
        if (await storage.HeadAsync(ObjectKeys.Config, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new OffsiteException(ErrorKind.Usage, $"a repository already exists at {storage.Location}");
        }
        var identity = X25519Identity.Generate();
        template.Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        template.Created = runtime.Clock.GetUtcNow();
        template.Recipient = identity.Recipient.ToString();
        var key = RepositoryKey.FromIdentity(identity, template.Id);
        ConfigAuthentication.Seal(template, key);
        // Key first, config last: a repository is visible only once it can be opened.
        string keyId = await new KeyStore(storage, runtime).AddAsync(key, passphrase, cancellationToken).ConfigureAwait(false);
        // Every backup reads prune-state; a write-only host without list rights gets 403, not 404, for a missing one.
        await new Prune.PruneState().WriteAsync(storage, cancellationToken).ConfigureAwait(false);
        if (!await storage.TryCreateAsync(ObjectKeys.Config, template.Serialize(), cancellationToken).ConfigureAwait(false))
        {
            await storage.DeleteAsync(ObjectKeys.Key(keyId), cancellationToken).ConfigureAwait(false);
            throw new OffsiteException(ErrorKind.Usage, $"a repository was created at {storage.Location} at the same time; use that one");
        }
        return new Repository(storage, template, key, keyId, OpenCache(cacheBase, template.Id, runtime), runtime);
    }

    public static Task<Repository> OpenAsync(IStorage storage, KeySource source, string? cacheBase, CancellationToken cancellationToken) =>
        OpenAsync(storage, source, cacheBase, null, cancellationToken);

    /// <param name="config">the config when the caller has already read it (one GET fewer), else null</param>
    public static Task<Repository> OpenAsync(IStorage storage, KeySource source, string? cacheBase, RepositoryConfig? config, CancellationToken cancellationToken) =>
        OpenAsync(storage, source, cacheBase, config, RuntimeContext.Default, cancellationToken);

    public static async Task<Repository> OpenAsync(IStorage storage, KeySource source, string? cacheBase, RepositoryConfig? config, RuntimeContext runtime, CancellationToken cancellationToken)
    {
        config ??= await ReadConfigAsync(storage, cancellationToken).ConfigureAwait(false);
        var cache = OpenCache(cacheBase, config.Id, runtime);
        RepositoryKey key;
        string? keyId = null;
        if (source.KeyText is not null)
        {
            key = KeyFile.Parse(source.KeyText, config.Id, source.Origin);
        }
        else if (source.Passphrase is not null)
        {
            (key, keyId) = await new KeyStore(storage, runtime).OpenAsync(source.Passphrase, config.Id, cache.PreferredKeyId, cancellationToken).ConfigureAwait(false);
            cache.PreferredKeyId = keyId;
        }
        else
        {
            throw new OffsiteException(ErrorKind.Usage, "no key given: a passphrase or a key file is needed to open the repository");
        }
        if (key.Recipient.ToString() != config.Recipient)
        {
            throw new OffsiteException(ErrorKind.WrongKey,
                $"{source.Origin}: the key's public key does not match the repository config ({config.Recipient[..12]}…); wrong key, or the config was replaced");
        }
        ConfigAuthentication.Verify(config, key, source.Origin, runtime.Logger);
        return new Repository(storage, config, key, keyId, cache, runtime);
    }

    public static async Task<RepositoryConfig> ReadConfigAsync(IStorage storage, CancellationToken cancellationToken)
    {
        try
        {
            byte[] bytes = await storage.GetAsync(ObjectKeys.Config, cancellationToken).ConfigureAwait(false);
            return RepositoryConfig.Parse(bytes);
        }
        catch (ObjectNotFoundException e)
        {
            throw new OffsiteException(ErrorKind.RepositoryNotFound, $"no repository at {storage.Location} (create one with `offsite init`)", e);
        }
    }

    /// <param name="cacheBase">the cache's base directory; null or "" disables the cache</param>
    private static LocalCache OpenCache(string? cacheBase, string repositoryId, RuntimeContext runtime)
    {
        if (string.IsNullOrEmpty(cacheBase))
        {
            return LocalCache.Disabled;
        }
        try
        {
            return LocalCache.Open(cacheBase, repositoryId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache is only a cache: a read-only home directory must not stop a backup.
            runtime.Logger.LogWarning("local cache unavailable ({Reason}); continuing without it", e.Message);
            return LocalCache.Disabled;
        }
    }

    // ---- objects

    public async Task<string> SaveObjectAsync(string prefix, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken) =>
        (await SealAndPutAsync(prefix, plaintext, cancellationToken).ConfigureAwait(false)).Id;

    /// <summary>Writes an index object, and keeps a copy so this host's next run does not download what it just uploaded.</summary>
    public Task<string> SaveIndexAsync(IndexFile file, CancellationToken cancellationToken) =>
        SaveIndexAsync(file.Packs.Select(PackInfo.FromIndexPack).ToList(), cancellationToken);

    /// <inheritdoc cref="SaveIndexAsync(IndexFile, CancellationToken)"/>
    public async Task<string> SaveIndexAsync(IReadOnlyList<PackInfo> packs, CancellationToken cancellationToken)
    {
        // Sealed into a temporary file as it is encoded, then uploaded from it (as packs are): an index
        // object in memory, plain, compressed and sealed, was tens of MiB of garbage per 50,000 blobs.
        using var sealedIndex = new SealedTempFile(SealingDirectory, "index", Key.Recipient);
        try
        {
            IndexCodec.WritePacks(packs, sealedIndex.Plaintext);
        }
        catch (IOException e)
        {
            throw sealedIndex.Failure(e);
        }
        string id = sealedIndex.Finish();
        await Storage.PutAsync(ObjectKeys.IndexPrefix + id, sealedIndex.OpenSealed(), cancellationToken).ConfigureAwait(false);
        if (Key.CanRead)
        {
            Cache.WriteIndex(id, sealedIndex.OpenSealed());
        }
        return id;
    }

    private async Task<(string Id, byte[] Stored)> SealAndPutAsync(string prefix, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        byte[] stored = ObjectCodec.Seal(plaintext.Span, Key.Recipient);
        string id = ObjectKeys.IdFor(stored);
        await Storage.PutAsync(prefix + id, stored, cancellationToken).ConfigureAwait(false);
        return (id, stored);
    }

    public async Task<byte[]> LoadObjectAsync(string key, CancellationToken cancellationToken)
    {
        var identities = Identities;
        byte[] stored;
        try
        {
            stored = await Storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException e)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{key}: missing from the repository", e);
        }
        return ObjectCodec.Open(stored, key, identities, ObjectKeys.IdOf(key));
    }

    // ---- retention

    /// <summary>
    /// True when a new snapshot may reference the stored blob: it is indexed, and under lifecycle
    /// retention its pack is younger than the refresh horizon (older data is uploaded again).
    /// </summary>
    public bool CanReuse(BlobId id)
    {
        var pack = Index.FindPackOf(id);
        if (pack is null || ExcludedPacks.Contains(pack.Id))
        {
            return false;
        }
        if (Config.Retention is { } retention && pack.Created <= Runtime.Clock.GetUtcNow() - retention.RefreshHorizon)
        {
            return false;
        }
        lock (_reusedPacks)
        {
            _reusedPacks.Add(pack.Id);
        }
        return true;
    }

    /// <summary>Under lifecycle retention, a snapshot older than expiry − refresh may already miss data.</summary>
    public bool IsExpired(Snapshot snapshot) =>
        Config.Retention is { } retention && snapshot.Time < Runtime.Clock.GetUtcNow() - retention.SnapshotValidity;

    /// <summary>
    /// Under lifecycle retention, a pack older than the expiry is expected to be gone. The bucket
    /// dates the pack from the start of its upload, a little before our <c>created</c>: allow for that.
    /// </summary>
    public bool MayHaveExpired(PackInfo pack) =>
        Config.Retention is { } retention
        && pack.Created < Runtime.Clock.GetUtcNow() - retention.Expiry + TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerMinute, retention.Day.Ticks / 10));

    /// <summary>True when an object failed to load only because it no longer exists.</summary>
    public static bool IsVanished(Exception e) => e is ObjectNotFoundException || e.InnerException is ObjectNotFoundException;

    // ---- index

    /// <summary>
    /// Loads every index object (from the cache when possible) plus the packs this host uploaded
    /// that no index covers yet. A write-only key cannot read indexes: it dedups against its own log.
    /// Returns those unindexed packs, which the next index written must include.
    /// </summary>
    /// <param name="treesOnly">index only the tree blobs: for commands that walk trees and never read
    /// file contents (ls, find, diff), whose index is then a fraction of the repository's blobs
    /// (3 M files: 279 MiB peak for `ls -R` with every blob indexed)</param>
    public async Task<List<PackInfo>> LoadIndexAsync(CancellationToken cancellationToken, bool treesOnly = false)
    {
        void AddToIndex(PackInfo pack)
        {
            if (!treesOnly || pack.HoldsOnlyTrees)
            {
                Index.AddDeferred(pack);
            }
            else if (pack.Entries.Any(e => e.Type == BlobType.Tree))
            {
                Index.AddDeferred(pack with { Entries = pack.Entries.Where(e => e.Type == BlobType.Tree).ToList() }); // a mixed pack (older writers)
            }
        }

        // Packs the repository's index files describe, as read now (the in-memory index may also
        // hold packs this process wrote itself, which the log must keep for a write-only host).
        var inIndexFiles = new HashSet<string>(StringComparer.Ordinal);
        if (Key.CanRead)
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            var pending = new List<ObjectInfo>();
            await foreach (var info in Storage.ListAsync(ObjectKeys.IndexPrefix, cancellationToken).ConfigureAwait(false))
            {
                present.Add(ObjectKeys.IdOf(info.Key));
                pending.Add(info);
            }
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (info, ct) =>
            {
                var packIds = new List<string>();
                try
                {
                    // Each pack goes into the index as it is parsed (its entries are a list reused for
                    // the next). An index object that turns out malformed halfway has added the packs
                    // before the fault: real packs, described by an authenticated object.
                    await LoadIndexPacksAsync(info.Key, pack =>
                    {
                        packIds.Add(pack.Id);
                        if (!ExcludedPacks.Contains(pack.Id))
                        {
                            AddToIndex(pack);
                        }
                    }, ct).ConfigureAwait(false);
                }
                catch (ObjectNotFoundException)
                {
                    // Listed, then gone: expired by the bucket's lifecycle rule or removed by prune.
                    // What it indexed is gone with it or indexed again elsewhere.
                    return;
                }
                catch (OffsiteException e) when (DamagedObjects.IsObjectDamage(e))
                {
                    // One damaged index costs only the packs no other index describes (their blobs then
                    // read as "in no index"), not every command.
                    Damaged.Add(info.Key, e.Message, Runtime.Logger, "skipped; blobs only it describes are unavailable");
                    return;
                }
                lock (inIndexFiles)
                {
                    inIndexFiles.UnionWith(packIds);
                }
            }).ConfigureAwait(false);
            Cache.RetainIndexes(present);
            Cache.RetainPacks(inIndexFiles);
        }

        // A pack the index objects describe is already in the index and never kept in the log: its
        // line's blob table is not read (a reader's log holds the whole last backup until rewritten).
        var log = Cache.ReadPackLog(id => !inIndexFiles.Contains(id));
        var (logged, indexed, lines) = (log.Packs, log.Indexed, log.Lines);
        var unindexed = new List<PackInfo>();
        var keep = new List<PackInfo>();
        var keptIds = new HashSet<string>(StringComparer.Ordinal);
        // Condemned by a prune: this host must forget it (the rewrite below drops its line).
        bool condemnedInLog = log.Skipped.Any(ExcludedPacks.Contains);
        foreach (var pack in logged)
        {
            if (ExcludedPacks.Contains(pack.Id))
            {
                // Condemned by a prune: this host must forget it, or its next snapshot could reference a deleted pack.
                condemnedInLog = true;
                continue;
            }
            bool known = Index.ContainsPack(pack.Id);
            if (!known && !indexed.Contains(pack.Id))
            {
                unindexed.Add(pack);
            }
            // The log only matters for packs the repository's index files do not describe (a
            // reader just read them all; a write-only host cannot, so it keeps everything) and
            // that can still exist (lifecycle retention deletes old packs).
            if (!inIndexFiles.Contains(pack.Id) && !MayHaveExpired(pack) && keptIds.Add(pack.Id))
            {
                keep.Add(pack);
            }
            AddToIndex(pack);
        }
        if (condemnedInLog || PackLogIsMostlyRedundant(lines, keep.Count))
        {
            Cache.RewritePackLog(keep, indexed);
        }
        return unindexed;
    }

    /// <summary>
    /// Index objects read (stored bytes) between two collections while the index loads. Each one leaves
    /// its ciphertext, its decompressed JSON (several times larger) and the parse's lists behind, all
    /// on the large-object heap, which the GC collects only with generation 2: without a bound, a
    /// 3-million-blob repository carried ~300 MiB of dead index buffers at the peak of a backup.
    /// </summary>
    private const long IndexGarbageBudget = 32L << 20;
    private readonly GarbageBudget _indexGarbage = new(IndexGarbageBudget);

    /// <summary>
    /// Rewrite the log when at least half of it is redundant (and it is not tiny): it then stays
    /// proportional to what only it knows, instead of growing with every backup this host ran.
    /// </summary>
    private static bool PackLogIsMostlyRedundant(int lines, int needed) =>
        lines >= 16 && lines - (needed + 1) >= lines / 2;

    /// <param name="fromCache">use this host's copy when it has one (false for check, which must read what the repository holds)</param>
    public Task<IndexFile> LoadIndexFileAsync(string key, CancellationToken cancellationToken, bool fromCache = true) =>
        LoadIndexAsync(key, IndexCodec.Parse, fromCache, cancellationToken);

    /// <summary>
    /// An index object's packs handed to <paramref name="visit"/> one by one as they are parsed
    /// (<see cref="IndexCodec.VisitPacks"/>: each pack's entries are valid only during the call).
    /// </summary>
    /// <param name="fromCache">as for <see cref="LoadIndexFileAsync"/></param>
    public Task LoadIndexPacksAsync(string key, Action<PackInfo> visit, CancellationToken cancellationToken, bool fromCache = true) =>
        LoadIndexAsync(key, (plaintext, what) =>
        {
            IndexCodec.VisitPacks(plaintext, what, visit);
            return true;
        }, fromCache, cancellationToken);

    private delegate T IndexParser<T>(ReadOnlySpan<byte> plaintext, string what);

    private async Task<T> LoadIndexAsync<T>(string key, IndexParser<T> parse, bool fromCache, CancellationToken cancellationToken)
    {
        string id = ObjectKeys.IdOf(key);
        if (fromCache)
        {
            // A cached copy is read only when it can be parsed at once: read ahead, the eight loads in
            // flight held eight copies (~2 MB each) waiting for the two parses.
            await _indexParses.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Used only when it still matches its name; a damaged one is read again.
                if (Cache.TryReadIndex(id) is { } cached && ObjectKeys.IdFor(cached) == id)
                {
                    return Parse(cached, key, id, parse);
                }
            }
            finally
            {
                _indexParses.Release();
            }
        }
        byte[] stored = await Storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
        T result;
        await _indexParses.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            result = Parse(stored, key, id, parse);
        }
        finally
        {
            _indexParses.Release();
        }
        // Cached only once it proved intact: a damaged download must not outlive its repair.
        Cache.WriteIndex(id, stored);
        return result;
    }

    /// <summary>
    /// Index objects decrypted and parsed at once. Fetches run eight at a time (latency), but an index
    /// object of 50,000 blobs is ~2 MB stored and ~11 MB of JSON, decompressed into a growing buffer and
    /// parsed into lists: eight parses at once took a 3 M-blob load to 221 MiB peak, two to 149 MiB,
    /// and two keep two CPUs busy.
    /// </summary>
    private readonly SemaphoreSlim _indexParses = new(2);

    /// <summary>Decrypts and parses an index object; the caller holds one of the <see cref="_indexParses"/> slots.</summary>
    private T Parse<T>(byte[] stored, string key, string id, IndexParser<T> parse)
    {
        var result = parse(ObjectCodec.Open(stored, key, Identities, id), key);
        _indexGarbage.Add(stored.Length);
        return result;
    }

    // ---- snapshots

    /// <summary>All snapshots that are still complete (expired ones under lifecycle retention are left out), oldest first.</summary>
    public async Task<List<Snapshot>> ListSnapshotsAsync(CancellationToken cancellationToken) =>
        (await ListAllSnapshotsAsync(cancellationToken).ConfigureAwait(false)).Where(s => !IsExpired(s)).ToList();

    /// <summary>
    /// Every readable snapshot, oldest first. A damaged one is left out, logged as a warning and recorded
    /// in <see cref="Damaged"/>: the others stay listable and restorable.
    /// </summary>
    public async Task<List<Snapshot>> ListAllSnapshotsAsync(CancellationToken cancellationToken)
    {
        RequireReadAccess(); // before the LIST: write-only credentials may not list, and the key is the real reason
        var keys = new List<string>();
        await foreach (var info in Storage.ListAsync(ObjectKeys.SnapshotsPrefix, cancellationToken).ConfigureAwait(false))
        {
            keys.Add(info.Key);
        }
        var snapshots = new Snapshot?[keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            try
            {
                snapshots[i] = Snapshot.Parse(await LoadObjectAsync(keys[i], ct).ConfigureAwait(false), ObjectKeys.IdOf(keys[i]));
            }
            catch (OffsiteException e) when (IsVanished(e))
            {
                // deleted between listing and reading (lifecycle expiry, forget): not a snapshot any more
            }
            catch (OffsiteException e) when (DamagedObjects.IsObjectDamage(e))
            {
                Damaged.Add(keys[i], e.Message, Runtime.Logger, "skipped; the other snapshots are not affected");
            }
        }).ConfigureAwait(false);
        return snapshots.OfType<Snapshot>().OrderBy(s => s.Time).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<string> SaveSnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken)
    {
        string id = await SaveObjectAsync(ObjectKeys.SnapshotsPrefix, snapshot.Serialize(), cancellationToken).ConfigureAwait(false);
        snapshot.Id = id;
        return id;
    }
}
