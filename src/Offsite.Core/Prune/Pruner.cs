using Offsite.Codecs.Compression;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Storage;

namespace Offsite.Core.Prune;

/// <summary>
/// One prune run: sweep the generations whose grace period has passed, then mark (condemn unused packs, repack mostly
/// unused ones). The protocol, and why it is safe with backups running and hosts that cannot read, is in
/// docs/format.md, "Forget and prune". The caller holds the prune lock (except for a dry run, which writes nothing).
/// </summary>
public sealed class Pruner
{
    private readonly Repository.Repository _repo;
    private readonly PruneOptions _options;

    public Pruner(Repository.Repository repository, PruneOptions options)
    {
        _repo = repository ?? throw new ArgumentNullException(nameof(repository));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Grace <= TimeSpan.Zero || options.Grace < options.MinimumGrace)
        {
            throw new OffsiteException(ErrorKind.Usage, $"the grace period must be at least {options.MinimumGrace.TotalSeconds:0} s: backups that started before a prune need it to commit");
        }
        if (options.MaxUnused < 0)
        {
            throw new OffsiteException(ErrorKind.Usage, "--max-unused must be 0% or more");
        }
    }

    private DateTimeOffset Now => _options.Time.GetUtcNow();

    public async Task<PruneReport> RunAsync(CancellationToken cancellationToken)
    {
        var report = new PruneReport { DryRun = _options.DryRun };
        var generation = await PassAsync(report, mark: true, cancellationToken).ConfigureAwait(false);
        if (_options.Wait && !_options.DryRun && generation is { } g)
        {
            TimeSpan wait = g.DeleteAfter - Now;
            _options.Progress?.Report($"waiting {wait.TotalSeconds:0} s (grace period) before deleting");
            // Until the clock has passed the deadline: a timer rounds to whole milliseconds and runs on
            // the monotonic clock, so one delay can end a fraction of a millisecond before deleteAfter
            // by the wall clock, and the second pass would then find nothing due (and delete nothing).
            while ((wait = g.DeleteAfter - Now) >= TimeSpan.Zero)
            {
                await Task.Delay(wait + TimeSpan.FromMilliseconds(1), _options.Time, cancellationToken).ConfigureAwait(false);
            }
            await PassAsync(report, mark: false, cancellationToken).ConfigureAwait(false);
        }
        return report;
    }

    /// <summary>One scan, then sweep, then (optionally) mark. Returns the generation it created, if any.</summary>
    private async Task<PruneGeneration?> PassAsync(PruneReport report, bool mark, CancellationToken cancellationToken)
    {
        var state = await PruneState.ReadAsync(_repo.Storage, cancellationToken).ConfigureAwait(false);
        // Due is judged before the snapshots are listed: every snapshot written before deleteAfter is then seen.
        DateTimeOffset listedAt = Now;
        var scan = await RepositoryScan.RunAsync(_repo, _options.Progress, cancellationToken).ConfigureAwait(false);
        Summarize(scan, report);
        RefuseIfDamaged(scan);

        _options.Progress?.Report("deleting packs whose grace period is over");
        bool changed = await SweepAsync(scan, state, listedAt, report, cancellationToken).ConfigureAwait(false);
        PruneGeneration? created = null;
        if (mark)
        {
            created = await MarkAsync(scan, state, report, cancellationToken).ConfigureAwait(false);
            changed |= created is not null;
        }
        state.ForgetOldHistory(Now);
        var pending = state.Generations.Where(g => g.Done is null).ToList();
        report.PendingPacks = pending.Sum(g => g.Packs.Count);
        report.NextDeleteAfter = pending.Count > 0 ? pending.Min(g => g.DeleteAfter) : null;
        // Written when it did not exist too: a write-only host cannot tell a missing object from a forbidden one.
        if ((changed || !state.Stored) && !_options.DryRun)
        {
            await state.WriteAsync(_repo.Storage, cancellationToken).ConfigureAwait(false);
        }
        return created;
    }

    private static void Summarize(RepositoryScan scan, PruneReport report)
    {
        report.Snapshots = scan.Snapshots.Count;
        report.ExpiredSnapshots = scan.ExpiredSnapshots;
        report.Blobs = scan.Blobs.Count;
        report.UsedBlobs = scan.Packs.All.Sum(p => (long)p.UsedBlobs);
        report.Packs = scan.Packs.All.Count(p => p.Stored);
        report.StoredBytes = scan.Packs.All.Where(p => p.Stored).Sum(p => p.Size);
    }

    /// <summary>An indexed pack that is gone while it holds the only copy of a used blob: the repository is damaged.</summary>
    private void RefuseIfDamaged(RepositoryScan scan)
    {
        var missing = scan.Packs.All
            .Where(p => p.Indexed && !p.Stored && p.UsedBlobs > 0 && !_repo.MayHaveExpired(new PackInfo(p.Id, p.Created, p.Size, [])))
            .Select(p => p.Number).ToHashSet();
        if (missing.Count == 0)
        {
            return;
        }
        var lost = scan.Blobs.PacksWithOnlyCopies(missing, n => scan.Packs[n].Stored);
        if (lost.Count > 0)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged,
                $"prune stopped: {lost.Count} indexed pack(s) holding data in use are missing (e.g. {scan.Packs[lost.First()].Id[..12]}); run `offsite check`; nothing was deleted");
        }
    }

    // ---- sweep

    private async Task<bool> SweepAsync(RepositoryScan scan, PruneState state, DateTimeOffset listedAt, PruneReport report, CancellationToken cancellationToken)
    {
        var due = state.Generations.Where(g => g.Done is null && g.DeleteAfter <= listedAt).ToList();
        if (due.Count == 0)
        {
            return false;
        }
        var condemnedAnywhere = new HashSet<int>();
        foreach (var g in state.Generations.Where(g => g.Done is null))
        {
            foreach (string id in g.Packs)
            {
                if (scan.Packs.Find(id) is { } p) condemnedAnywhere.Add(p.Number);
            }
        }
        var leaving = new HashSet<int>();
        foreach (var g in due)
        {
            foreach (string id in g.Packs)
            {
                if (scan.Packs.Find(id) is { } p) leaving.Add(p.Number);
            }
        }
        // A snapshot written during the grace period (by a backup that started before the mark) may use a condemned
        // pack: a pack holding the only copy of a used blob is rescued.
        var rescued = scan.Blobs.PacksWithOnlyCopies(leaving, n => !condemnedAnywhere.Contains(n) && scan.Packs[n].Stored);
        var deleting = leaving.Where(n => !rescued.Contains(n)).ToHashSet();
        var postponed = await LockedAsync(scan, deleting, report, cancellationToken).ConfigureAwait(false);
        deleting.ExceptWith(postponed);

        report.SweptGenerations += due.Count;
        report.RescuedPacks += rescued.Count;
        if (!_options.DryRun)
        {
            await RewriteIndexesAsync(scan, deleting, report, cancellationToken).ConfigureAwait(false);
            await Parallel.ForEachAsync(deleting, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (n, ct) =>
            {
                if (scan.Packs[n].Stored)
                {
                    await _repo.Storage.DeleteAsync(ObjectKeys.Pack(scan.Packs[n].Id), ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        report.DeletedPacks += deleting.Count(n => scan.Packs[n].Stored);
        report.DeletedBytes += deleting.Where(n => scan.Packs[n].Stored).Sum(n => scan.Packs[n].Size);

        DateTimeOffset now = Now;
        foreach (var g in due)
        {
            var keep = new List<string>();
            foreach (string id in g.Packs)
            {
                var p = scan.Packs.Find(id);
                if (p is null || deleting.Contains(p.Number))
                {
                    g.Deleted.Add(id); // deleted now, or already gone (a crashed sweep got that far)
                }
                else if (!rescued.Contains(p.Number))
                {
                    keep.Add(id); // locked: stays condemned until its retention passes
                }
            }
            g.Packs = keep;
            if (keep.Count == 0)
            {
                g.Done = now;
            }
        }
        return true;
    }

    /// <summary>
    /// Packs that must wait for their Object Lock retention — their own, or that of an index object listing them
    /// (that index cannot be replaced, and a pack it lists must not disappear under it).
    /// </summary>
    private async Task<HashSet<int>> LockedAsync(RepositoryScan scan, HashSet<int> deleting, PruneReport report, CancellationToken cancellationToken)
    {
        var locked = new HashSet<int>();
        if (ObjectRetention.Of(_repo.Storage) is not { } retention || deleting.Count == 0)
        {
            return locked;
        }
        DateTimeOffset now = Now;
        foreach (int n in deleting.Where(n => scan.Packs[n].Stored))
        {
            string key = ObjectKeys.Pack(scan.Packs[n].Id);
            if (await retention.GetRetainUntilAsync(key, cancellationToken).ConfigureAwait(false) is { } until && until > now)
            {
                locked.Add(n);
                report.Locked.Add((key, until));
            }
        }
        foreach (var (key, packs) in scan.IndexObjects)
        {
            if (!packs.Any(p => deleting.Contains(p) && !locked.Contains(p)))
            {
                continue;
            }
            if (await retention.GetRetainUntilAsync(key, cancellationToken).ConfigureAwait(false) is { } until && until > now)
            {
                report.Locked.Add((key, until));
                locked.UnionWith(packs.Where(deleting.Contains));
            }
        }
        return locked;
    }

    /// <summary>Replaces every index object that lists a pack being deleted by one listing its other packs (new first, then the old is deleted).</summary>
    private async Task RewriteIndexesAsync(RepositoryScan scan, HashSet<int> deleting, PruneReport report, CancellationToken cancellationToken)
    {
        foreach (var (key, packs) in scan.IndexObjects)
        {
            if (!packs.Any(deleting.Contains))
            {
                continue;
            }
            var file = await _repo.LoadIndexFileAsync(key, cancellationToken).ConfigureAwait(false);
            var rest = file.Packs.Where(p => scan.Packs.Find(p.Id) is not { } q || !deleting.Contains(q.Number)).ToList();
            if (rest.Count > 0)
            {
                await _repo.SaveIndexAsync(new IndexFile { Packs = rest }, cancellationToken).ConfigureAwait(false);
            }
            await _repo.Storage.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            report.IndexesRewritten++;
        }
    }

    // ---- mark

    private async Task<PruneGeneration?> MarkAsync(RepositoryScan scan, PruneState state, PruneReport report, CancellationToken cancellationToken)
    {
        _options.Progress?.Report("choosing packs to remove and repack");
        var condemned = state.CondemnedPacks();
        DateTimeOffset now = Now;
        var toCondemn = new List<PackTable.Pack>();
        var partial = new List<PackTable.Pack>();
        int freshUnindexed = 0;
        foreach (var p in scan.Packs.All)
        {
            if (condemned.Contains(p.Id))
            {
                continue;
            }
            if (!p.Indexed)
            {
                // A pack no index names: left by a killed backup, or being written by a running one right now.
                if (p.StoredAt < now - _options.Grace)
                {
                    toCondemn.Add(p);
                }
                else
                {
                    freshUnindexed++;
                }
            }
            else if (p.UsedBlobs == 0)
            {
                toCondemn.Add(p);
            }
            else if (p.UsedBlobs < p.Blobs && p.Stored)
            {
                partial.Add(p);
            }
        }
        if (freshUnindexed > 0)
        {
            report.Notes.Add($"{freshUnindexed} pack(s) in no index are younger than the grace period (a backup may be writing them): left alone");
        }
        var repack = ChooseRepack(scan, partial, report);
        if (repack.Count > 0)
        {
            bool done = await RepackAsync(scan, repack, condemned, report, cancellationToken).ConfigureAwait(false);
            if (done)
            {
                toCondemn.AddRange(repack);
            }
        }
        report.CondemnedPacks += toCondemn.Count;
        report.CondemnedBytes += toCondemn.Where(p => p.Stored).Sum(p => p.Size);
        if (toCondemn.Count == 0)
        {
            return null;
        }
        var generation = new PruneGeneration
        {
            Generation = state.Generation + 1,
            Condemned = now,
            DeleteAfter = now + _options.Grace,
            Packs = toCondemn.Select(p => p.Id).ToList(),
        };
        report.Generation = generation.Generation;
        report.DeleteAfter = generation.DeleteAfter;
        if (_options.DryRun)
        {
            return null;
        }
        state.Generation = generation.Generation;
        state.GraceSeconds = (long)Math.Ceiling(_options.Grace.TotalSeconds);
        state.Generations.Add(generation);
        return generation;
    }

    /// <summary>Partly used packs to rewrite, emptiest first, until the unused share is within the limit or the repack budget is spent.</summary>
    private List<PackTable.Pack> ChooseRepack(RepositoryScan scan, List<PackTable.Pack> partial, PruneReport report)
    {
        if (_repo.Config.Retention is not null)
        {
            if (partial.Count > 0)
            {
                report.Notes.Add("lifecycle retention: partly used packs are not repacked (the bucket deletes them by age; new backups stop using them at the refresh horizon)");
            }
            return [];
        }
        long used = scan.Packs.All.Where(p => p.Stored && p.UsedBlobs > 0).Sum(p => p.UsedBytes);
        long unused = partial.Sum(p => p.BlobBytes - p.UsedBytes);
        double allowed = _options.MaxUnused * used;
        long budget = _options.MaxRepackSize ?? long.MaxValue;
        var chosen = new List<PackTable.Pack>();
        long spent = 0;
        foreach (var p in partial.OrderBy(p => (double)p.UsedBytes / Math.Max(1, p.BlobBytes)))
        {
            if (unused <= allowed)
            {
                break;
            }
            if (spent + p.Size > budget)
            {
                continue;
            }
            chosen.Add(p);
            spent += p.Size;
            unused -= p.BlobBytes - p.UsedBytes;
        }
        report.RepackedBytes += spent;
        report.RepackFreesBytes += chosen.Sum(p => p.BlobBytes - p.UsedBytes);
        return chosen;
    }

    /// <summary>
    /// Copies the used blobs of <paramref name="packs"/> into new packs and an index for them, exactly as a backup
    /// writes (a crash leaves duplicates, never a gap). Returns false, writing nothing more, when a used blob fails
    /// verification: then the old packs stay.
    /// </summary>
    private async Task<bool> RepackAsync(RepositoryScan scan, List<PackTable.Pack> packs, HashSet<string> condemned, PruneReport report, CancellationToken cancellationToken)
    {
        report.RepackedPacks += packs.Count;
        if (_options.DryRun)
        {
            return true;
        }
        _options.Progress?.Report($"repacking {packs.Count} pack(s)");
        // The blobs being copied are indexed in the packs being repacked: without this the saver would skip them as known.
        var excluded = new HashSet<string>(condemned, StringComparer.Ordinal);
        excluded.UnionWith(packs.Select(p => p.Id));
        _repo.ExcludedPacks = excluded;
        using var decompressor = new ZstdDecompressor();
        await using var saver = new BlobSaver(_repo, []);
        foreach (var p in packs)
        {
            string key = ObjectKeys.Pack(p.Id);
            byte[] plaintext = ObjectCodec.Open(await _repo.Storage.GetAsync(key, cancellationToken).ConfigureAwait(false), key, _repo.Identities, p.Id);
            foreach (var e in PackFormat.ReadTable(plaintext, p.Id))
            {
                if (!scan.Blobs.IsUsed(e.Id))
                {
                    continue;
                }
                byte[] raw = e.Compression == BlobCompression.Zstd ? new byte[e.RawLength] : [];
                ReadOnlySpan<byte> stored = plaintext.AsSpan((int)e.Offset, e.Length);
                if (e.Compression == BlobCompression.Zstd)
                {
                    try
                    {
                        if (decompressor.Decompress(stored, raw) != e.RawLength) raw = [];
                    }
                    catch (InvalidDataException)
                    {
                        raw = [];
                    }
                }
                else
                {
                    raw = stored.ToArray();
                }
                if (BlobId.Compute(_repo.Key.BlobIdKey, raw) != e.Id)
                {
                    report.Notes.Add($"blob {e.Id.Short} in pack {p.Id[..12]} is damaged: nothing was repacked (run `offsite check --read-data`)");
                    return false;
                }
                await saver.SaveAsync(e.Type, raw, cancellationToken).ConfigureAwait(false);
            }
        }
        await saver.FlushAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
