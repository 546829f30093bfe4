using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;
using Offsite.Core.Storage;

namespace Offsite.Core.Copy;

/// <summary>
/// Makes a second location hold the same repository (an object-level mirror: same config, same
/// keys/, the same objects under the same names), incrementally: only objects the target lacks are
/// uploaded, each verified against its content-addressed name first (docs/format.md, "Copies").
/// <list type="bullet">
/// <item><see cref="MirrorAsync"/> copies everything and needs no key: a host without the identity can run it.</item>
/// <item><see cref="CopySnapshotsAsync"/> copies only what chosen snapshots need; finding that out means
/// reading trees, so it needs the identity, and it writes an index object for the packs it copied.</item>
/// </list>
/// Write order on the target is the repository's own: keys, config, packs, index, snapshots. A copy
/// killed at any point leaves a valid target, and the next run resumes where it stopped.
/// </summary>
public sealed class RepositoryCopier
{
    private readonly IStorage _source;
    private readonly IStorage _target;
    private readonly Action<CopyProgress>? _progress;
    private readonly int _parallelism;

    public RepositoryCopier(IStorage source, IStorage target, Action<CopyProgress>? progress = null, int parallelism = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        _source = source;
        _target = target;
        _progress = progress;
        _parallelism = parallelism;
    }

    /// <summary>
    /// Copies every object. <paramref name="readable"/> (a repository opened on the source with the
    /// identity, or null) only lets data packs be told from tree packs, so a storage class for data
    /// packs applies on the target; without it every pack is written like a tree pack.
    /// </summary>
    public async Task<CopyReport> MirrorAsync(Repository.Repository? readable, CancellationToken cancellationToken)
    {
        var report = new CopyReport();
        var copier = new ObjectCopier(_source, _target, report, _progress, _parallelism);
        // List in reverse write order: whatever a listed snapshot or index needs was written before
        // it, so it is in the later listing of packs even while backups run on the source.
        var snapshots = await ListAsync(_source, ObjectKeys.SnapshotsPrefix, cancellationToken).ConfigureAwait(false);
        var indexes = await ListAsync(_source, ObjectKeys.IndexPrefix, cancellationToken).ConfigureAwait(false);
        var packs = await ListAsync(_source, ObjectKeys.PacksPrefix, cancellationToken).ConfigureAwait(false);

        await CopyKeysAndConfigAsync(copier, cancellationToken).ConfigureAwait(false);
        Func<string, bool>? isDataPack = null;
        if (readable is not null && readable.Key.CanRead)
        {
            await readable.LoadIndexAsync(cancellationToken).ConfigureAwait(false);
            isDataPack = key => readable.Index.FindPack(ObjectKeys.IdOf(key)) is { } p && !p.HoldsOnlyTrees;
        }
        var missingPacks = await copier.MissingAsync(ObjectKeys.PacksPrefix, packs, cancellationToken).ConfigureAwait(false);
        await copier.CopyAsync("packs", missingPacks, isDataPack, cancellationToken).ConfigureAwait(false);
        var missingIndexes = await copier.MissingAsync(ObjectKeys.IndexPrefix, indexes, cancellationToken).ConfigureAwait(false);
        await copier.CopyAsync("index", missingIndexes, null, cancellationToken).ConfigureAwait(false);
        var missingSnapshots = await copier.MissingAsync(ObjectKeys.SnapshotsPrefix, snapshots, cancellationToken).ConfigureAwait(false);
        await copier.CopyAsync("snapshots", missingSnapshots, null, cancellationToken).ConfigureAwait(false);
        foreach (var s in snapshots.Where(s => !report.Damaged.ContainsKey(s.Key) && !report.Archived.ContainsKey(s.Key)))
        {
            report.Snapshots.Add(ObjectKeys.IdOf(s.Key));
        }
        return report;
    }

    /// <summary>
    /// Copies the given snapshots and exactly the packs they need (found by walking their trees, so
    /// <paramref name="repository"/> must hold the identity), then an index object naming the copied
    /// packs the target's index lacks, then the snapshot objects. A snapshot some of whose packs
    /// could not be copied (damaged or archived in the source) is not copied and is reported.
    /// </summary>
    public async Task<CopyReport> CopySnapshotsAsync(Repository.Repository repository, IReadOnlyList<Snapshot> snapshots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(snapshots);
        _ = repository.Identities; // a write-only key cannot read trees: say so before copying anything
        var report = new CopyReport();
        var copier = new ObjectCopier(_source, _target, report, _progress, _parallelism);
        await repository.LoadIndexAsync(cancellationToken).ConfigureAwait(false);

        var needs = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var snapshot in snapshots)
        {
            var walk = new SnapshotPacks(repository);
            await walk.AddAsync(snapshot, null, cancellationToken).ConfigureAwait(false);
            if (walk.Problems.Count > 0)
            {
                report.Problems.AddRange(walk.Problems.Select(p => $"snapshot {snapshot.Id[..8]}: {p}"));
                report.SkippedSnapshots[snapshot.Id] = "its trees reference data the source has lost (see problems)";
                continue;
            }
            needs[snapshot.Id] = walk.All.ToHashSet(StringComparer.Ordinal);
        }
        var packs = needs.Values.SelectMany(p => p).Distinct(StringComparer.Ordinal)
            .Select(id => repository.Index.FindPack(id)!)
            .ToList();

        await CopyKeysAndConfigAsync(copier, cancellationToken).ConfigureAwait(false);
        var wanted = packs.Select(p => new ObjectInfo(ObjectKeys.Pack(p.Id), p.Size, default)).ToList();
        var missing = await copier.MissingAsync(ObjectKeys.PacksPrefix, wanted, cancellationToken).ConfigureAwait(false);
        var copied = await copier.CopyAsync("packs", missing, key => repository.Index.FindPack(ObjectKeys.IdOf(key)) is { HoldsOnlyTrees: false }, cancellationToken).ConfigureAwait(false);
        var failed = missing.Select(m => m.Key).Where(k => !copied.Contains(k)).Select(ObjectKeys.IdOf).ToHashSet(StringComparer.Ordinal);
        var present = packs.Where(p => !failed.Contains(p.Id)).ToList();

        await IndexOnTargetAsync(repository, present, cancellationToken).ConfigureAwait(false);

        var complete = new List<ObjectInfo>();
        foreach (var snapshot in snapshots.Where(s => needs.ContainsKey(s.Id)))
        {
            var lost = needs[snapshot.Id].Where(failed.Contains).ToList();
            if (lost.Count > 0)
            {
                report.SkippedSnapshots[snapshot.Id] = $"{lost.Count} pack(s) it needs could not be copied ({string.Join(", ", lost.Take(3).Select(p => p[..8]))}{(lost.Count > 3 ? ", …" : "")})";
                continue;
            }
            var info = await _source.HeadAsync(ObjectKeys.Snapshot(snapshot.Id), cancellationToken).ConfigureAwait(false);
            if (info is null)
            {
                report.SkippedSnapshots[snapshot.Id] = "deleted from the source while copying";
                continue;
            }
            complete.Add(info);
        }
        var missingSnapshots = await copier.MissingAsync(ObjectKeys.SnapshotsPrefix, complete, cancellationToken).ConfigureAwait(false);
        var copiedSnapshots = await copier.CopyAsync("snapshots", missingSnapshots, null, cancellationToken).ConfigureAwait(false);
        foreach (var info in complete.Where(c => !missingSnapshots.Contains(c) || copiedSnapshots.Contains(c.Key)))
        {
            report.Snapshots.Add(ObjectKeys.IdOf(info.Key));
        }
        return report;
    }

    /// <summary>
    /// Writes one index object (sealed to the repository's recipient) for the packs the target's
    /// index does not describe yet, so the target's index covers exactly what it holds.
    /// </summary>
    private async Task IndexOnTargetAsync(Repository.Repository repository, List<PackInfo> present, CancellationToken cancellationToken)
    {
        var indexed = new HashSet<string>(StringComparer.Ordinal);
        var keys = await ListAsync(_target, ObjectKeys.IndexPrefix, cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellationToken }, async (info, ct) =>
        {
            byte[] stored;
            try
            {
                stored = await _target.GetAsync(info.Key, ct).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException)
            {
                return; // expired by the target's lifecycle rule after the listing
            }
            var packs = IndexCodec.ParsePacks(ObjectCodec.Open(stored, "target " + info.Key, repository.Identities, ObjectKeys.IdOf(info.Key)), "target " + info.Key);
            lock (indexed)
            {
                indexed.UnionWith(packs.Select(p => p.Id));
            }
        }).ConfigureAwait(false);
        var unindexed = present.Where(p => !indexed.Contains(p.Id)).ToList();
        if (unindexed.Count == 0)
        {
            return;
        }
        var index = new IndexFile { Packs = unindexed.Select(p => p.ToIndexPack()).ToList() };
        byte[] sealedIndex = ObjectCodec.Seal(IndexCodec.Serialize(index), repository.Key.Recipient);
        await _target.PutAsync(ObjectKeys.Index(ObjectKeys.IdFor(sealedIndex)), sealedIndex, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// keys/ first, then config: like `init`, the target becomes a visible repository only once it
    /// can be opened. A target that already holds a different repository is refused.
    /// </summary>
    private async Task CopyKeysAndConfigAsync(ObjectCopier copier, CancellationToken cancellationToken)
    {
        byte[] config;
        try
        {
            config = await _source.GetAsync(ObjectKeys.Config, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException e)
        {
            throw new OffsiteException(ErrorKind.RepositoryNotFound, $"no repository at {_source.Location} to copy", e);
        }
        var sourceConfig = RepositoryConfig.Parse(config);
        await RefuseForeignTargetAsync(sourceConfig, cancellationToken).ConfigureAwait(false);

        var keys = await ListAsync(_source, ObjectKeys.KeysPrefix, cancellationToken).ConfigureAwait(false);
        var missingKeys = await copier.MissingAsync(ObjectKeys.KeysPrefix, keys, cancellationToken).ConfigureAwait(false);
        await copier.CopyAsync("keys", missingKeys, null, cancellationToken).ConfigureAwait(false);
        if (!await TargetHasConfigAsync(cancellationToken).ConfigureAwait(false)
            && !await _target.TryCreateAsync(ObjectKeys.Config, config, cancellationToken).ConfigureAwait(false))
        {
            await RefuseForeignTargetAsync(sourceConfig, cancellationToken).ConfigureAwait(false); // created meanwhile: by whom?
        }
    }

    /// <summary>
    /// Asked by listing, not HEAD/GET: with a prefix-scoped ListBucket grant (the copy role), S3 answers
    /// a GET of a missing object 403, not 404, because the GET carries no s3:prefix to match.
    /// </summary>
    private async Task<bool> TargetHasConfigAsync(CancellationToken cancellationToken)
    {
        await foreach (var info in _target.ListAsync(ObjectKeys.Config, cancellationToken).ConfigureAwait(false))
        {
            if (info.Key == ObjectKeys.Config)
            {
                return true;
            }
        }
        return false;
    }

    private async Task RefuseForeignTargetAsync(RepositoryConfig source, CancellationToken cancellationToken)
    {
        if (!await TargetHasConfigAsync(cancellationToken).ConfigureAwait(false))
        {
            return; // an empty target: the copy creates the repository there
        }
        byte[] existing = await _target.GetAsync(ObjectKeys.Config, cancellationToken).ConfigureAwait(false);
        RepositoryConfig target;
        try
        {
            target = RepositoryConfig.Parse(existing);
        }
        catch (OffsiteException e)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{_target.Location} holds an unreadable config ({e.Message}); copy into an empty location or a copy of this repository", e);
        }
        if (target.Id != source.Id || target.Recipient != source.Recipient)
        {
            throw new OffsiteException(ErrorKind.Usage,
                $"{_target.Location} holds another repository ({target.Id[..8]}…, this one is {source.Id[..8]}…); copy into an empty location or a copy of this repository");
        }
    }

    private static async Task<List<ObjectInfo>> ListAsync(IStorage storage, string prefix, CancellationToken cancellationToken)
    {
        var list = new List<ObjectInfo>();
        await foreach (var info in storage.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            list.Add(info);
        }
        return list;
    }
}
