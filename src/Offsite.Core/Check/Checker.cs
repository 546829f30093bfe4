using Offsite.Codecs.Compression;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;
using Offsite.Core.Storage;
using Offsite.Core.Trees;
using Offsite.Crypto.Age;

namespace Offsite.Core.Check;

/// <summary>
/// Verifies the repository: every index readable, every indexed pack present with the right size,
/// every snapshot's trees readable and every blob they name indexed; with <c>readData</c>, every
/// pack downloaded, hash-checked, decrypted and every blob decompressed and its keyed id
/// recomputed. Damage is attributed to the snapshots it touches.
/// </summary>
public sealed class Checker
{
    private const string MissingPack = "missing";
    /// <summary>Plaintext bytes of a tree pack read at once. 3M-file check: whole packs 121 MiB peak; 1, 2 and
    /// 4 MiB windows 103-105, 99-103 and 97 MiB, about one ranged read per 4 MiB of trees.</summary>
    private const int TreeWindow = 4 << 20;
    private readonly Repository.Repository _repo;

    public Checker(Repository.Repository repository) => _repo = repository;

    public async Task<CheckReport> RunAsync(bool readData, CancellationToken cancellationToken)
    {
        var report = new CheckReport();
        _repo.RequireReadAccess(); // a write-only key cannot check: say so before doing anything

        var stored = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var info in _repo.Storage.ListAsync(ObjectKeys.PacksPrefix, cancellationToken).ConfigureAwait(false))
        {
            stored[ObjectKeys.IdOf(info.Key)] = info.Size;
        }
        report.Packs = stored.Count;

        await CheckKeysAsync(report, cancellationToken).ConfigureAwait(false);
        await LoadIndexesAsync(report, cancellationToken).ConfigureAwait(false);
        foreach (var pack in _repo.Index.Packs)
        {
            if (!stored.ContainsKey(pack.Id) && _repo.MayHaveExpired(pack))
            {
                continue; // deleted by the bucket's lifecycle rule, as intended; no valid snapshot needs it
            }
            if (!stored.TryGetValue(pack.Id, out long size))
            {
                report.DamagedPack(pack.Id, "missing (indexed but not in storage)");
            }
            else if (size != pack.Size)
            {
                report.DamagedPack(pack.Id, $"truncated or replaced: {size} bytes stored, {pack.Size} expected");
            }
        }
        foreach (string id in stored.Keys.Where(id => !_repo.Index.ContainsPack(id)))
        {
            report.Warnings.Add($"pack {id} is in no index (left by an interrupted backup; harmless, reclaimed by prune)");
        }

        if (readData)
        {
            await ReadPacksAsync(stored.Keys.Where(_repo.Index.ContainsPack).ToList(), report, cancellationToken).ConfigureAwait(false);
        }

        await CheckSnapshotsAsync(report, cancellationToken).ConfigureAwait(false);
        return report;
    }

    /// <summary>Every key object must match its name: a damaged one no longer opens with its passphrase.</summary>
    private async Task CheckKeysAsync(CheckReport report, CancellationToken cancellationToken)
    {
        await foreach (var info in _repo.Storage.ListAsync(ObjectKeys.KeysPrefix, cancellationToken).ConfigureAwait(false))
        {
            byte[] stored;
            try
            {
                stored = await _repo.Storage.GetAsync(info.Key, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException)
            {
                continue; // removed since the listing (key remove)
            }
            if (ObjectKeys.IdFor(stored) != ObjectKeys.IdOf(info.Key))
            {
                report.Error($"{info.Key}: content does not match its name (object is damaged or truncated); its passphrase no longer opens the repository");
            }
        }
    }

    private async Task LoadIndexesAsync(CheckReport report, CancellationToken cancellationToken)
    {
        await foreach (var info in _repo.Storage.ListAsync(ObjectKeys.IndexPrefix, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                // Each pack goes into the index as it is parsed (its entries are a list reused for the next).
                await _repo.LoadIndexPacksAsync(info.Key, _repo.Index.AddDeferred, cancellationToken, fromCache: false).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException)
            {
                // Listed, then deleted (lifecycle expiry, prune): nothing left to check.
            }
            catch (OffsiteException e) when (DamagedObjects.IsObjectDamage(e))
            {
                report.Error(e.Message);
            }
        }
    }

    private async Task ReadPacksAsync(List<string> packIds, CheckReport report, CancellationToken cancellationToken)
    {
        long blobs = 0;
        var packs = _repo.Index.Packs.ToDictionary(p => p.Id, StringComparer.Ordinal);
        await Parallel.ForEachAsync(packIds, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, _repo.Runtime.Processors), CancellationToken = cancellationToken }, async (id, ct) =>
        {
            string? problem;
            int count;
            try
            {
                (problem, count) = await VerifyPackAsync(id, ct).ConfigureAwait(false);
            }
            catch (ObjectArchivedException e)
            {
                report.ArchivedPack(id, e.StorageClass); // not readable yet, not damaged
                return;
            }
            if (problem == MissingPack && packs.TryGetValue(id, out var info) && _repo.MayHaveExpired(info))
            {
                return; // expired by the bucket while we were reading others
            }
            if (problem is not null)
            {
                report.DamagedPack(id, problem);
            }
            Interlocked.Add(ref blobs, count);
        }).ConfigureAwait(false);
        report.BlobsRead = blobs;
        if (report.ArchivedPacks.Count > 0)
        {
            report.Warnings.Add($"{report.ArchivedPacks.Count} pack(s) not read: archived ({string.Join(", ", report.ArchivedPacks.Values.Distinct(StringComparer.Ordinal))}), not readable until retrieved; they are not counted as damaged");
        }
    }

    /// <summary>What is wrong with the pack (null when intact) and how many blobs were verified.</summary>
    private async Task<(string? Problem, int Blobs)> VerifyPackAsync(string id, CancellationToken cancellationToken)
    {
        byte[] stored;
        try
        {
            stored = await _repo.Storage.GetAsync(ObjectKeys.Pack(id), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return (MissingPack, 0);
        }
        if (ObjectKeys.IdFor(stored) != id)
        {
            return ("content does not match its name (damaged or truncated)", 0);
        }
        byte[] plaintext;
        try
        {
            plaintext = AgeFile.Decrypt(stored, _repo.Identities);
        }
        catch (AgeException e)
        {
            return ($"cannot be decrypted ({ObjectCodec.Describe(e.Kind)})", 0);
        }
        List<PackEntry> table;
        try
        {
            table = PackFormat.ReadTable(plaintext, id);
        }
        catch (OffsiteException e)
        {
            return (e.Message, 0);
        }
        using var decompressor = new ZstdDecompressor();
        byte[] scratch = [];
        foreach (var entry in table)
        {
            var bytes = plaintext.AsSpan((int)entry.Offset, entry.Length);
            ReadOnlySpan<byte> raw = bytes;
            if (entry.Compression == BlobCompression.Zstd)
            {
                if (scratch.Length < entry.RawLength)
                {
                    scratch = new byte[entry.RawLength];
                }
                try
                {
                    int n = decompressor.Decompress(bytes, scratch);
                    if (n != entry.RawLength)
                    {
                        return ($"blob {entry.Id.Short} decompresses to {n} bytes, the table says {entry.RawLength}", 0);
                    }
                    raw = scratch.AsSpan(0, n);
                }
                catch (InvalidDataException e)
                {
                    return ($"blob {entry.Id.Short} does not decompress ({e.Message})", 0);
                }
            }
            if (BlobId.Compute(_repo.Key.BlobIdKey, raw) != entry.Id)
            {
                return ($"blob {entry.Id.Short} has wrong content", 0);
            }
            if (_repo.Index.Find(entry.Id) is { } loc && loc.Pack.Id == id && loc.Entry != entry)
            {
                return ($"blob {entry.Id.Short}: index and pack disagree", 0);
            }
        }
        return (null, table.Count);
    }

    private async Task CheckSnapshotsAsync(CheckReport report, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var info in _repo.Storage.ListAsync(ObjectKeys.SnapshotsPrefix, cancellationToken).ConfigureAwait(false))
        {
            keys.Add(info.Key);
        }
        report.Snapshots = keys.Count;
        // The repository's trees, not our copies, read a window of a pack at a time: the walk is depth first,
        // and a whole tree pack held in memory made the peak grow with the number of trees.
        var loader = new BlobLoader(_repo, maxCachedPacks: 1, localCopies: false, treeWindow: TreeWindow);
        var checkedTrees = new Dictionary<BlobId, bool>();
        foreach (string key in keys)
        {
            string snapshotId = ObjectKeys.IdOf(key);
            Snapshot snapshot;
            try
            {
                snapshot = Snapshot.Parse(await _repo.LoadObjectAsync(key, cancellationToken).ConfigureAwait(false), snapshotId);
            }
            catch (OffsiteException e) when (e.Kind == ErrorKind.RepositoryDamaged && _repo.Config.Retention is not null && Repository.Repository.IsVanished(e))
            {
                report.ExpiredSnapshots++;
                continue; // expired by the bucket's lifecycle rule after it was listed
            }
            catch (OffsiteException e) when (DamagedObjects.IsObjectDamage(e))
            {
                report.Error(e.Message);
                report.AffectedSnapshots.Add(snapshotId);
                continue;
            }
            if (_repo.IsExpired(snapshot))
            {
                report.ExpiredSnapshots++;
                continue; // past its lifecycle validity: its data may be gone, by design
            }
            if (!await TreeIsIntactAsync(BlobId.Parse(snapshot.Tree), loader, checkedTrees, report, snapshotId, cancellationToken).ConfigureAwait(false))
            {
                report.AffectedSnapshots.Add(snapshotId);
            }
        }
    }

    /// <summary>Walks a tree once (memoized across snapshots); false when anything below it is damaged or missing.</summary>
    private async Task<bool> TreeIsIntactAsync(BlobId treeId, BlobLoader loader, Dictionary<BlobId, bool> memo, CheckReport report, string snapshotId, CancellationToken cancellationToken)
    {
        if (memo.TryGetValue(treeId, out bool known))
        {
            return known;
        }
        bool intact = BlobIntact(treeId, report);
        Tree? tree = null;
        if (intact)
        {
            try
            {
                tree = await loader.LoadTreeAsync(treeId, cancellationToken).ConfigureAwait(false);
            }
            catch (OffsiteException e) when (e.Kind == ErrorKind.RepositoryDamaged)
            {
                report.Error($"snapshot {snapshotId[..8]}: {e.Message}");
                intact = false;
            }
        }
        foreach (var node in tree?.Nodes ?? [])
        {
            foreach (string hex in node.Content ?? [])
            {
                var id = BlobId.Parse(hex);
                if (!BlobIntact(id, report))
                {
                    intact = false;
                }
            }
            if (node.Subtree is not null && !await TreeIsIntactAsync(BlobId.Parse(node.Subtree), loader, memo, report, snapshotId, cancellationToken).ConfigureAwait(false))
            {
                intact = false;
            }
        }
        memo[treeId] = intact;
        return intact;
    }

    private bool BlobIntact(BlobId id, CheckReport report)
    {
        var pack = _repo.Index.FindPackOf(id);
        if (pack is null)
        {
            report.Error($"blob {id} is referenced but in no index");
            return false;
        }
        lock (report.DamagedPacks)
        {
            return !report.DamagedPacks.ContainsKey(pack.Id);
        }
    }
}
