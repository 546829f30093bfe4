using Offsite.Core.Repository;
using Offsite.Core.Storage;

namespace Offsite.Core.Copy;

/// <summary>
/// Copies stored objects byte for byte from one storage to another, verifying each against its
/// name first: every object but <c>config</c> is named by the SHA-256 of its stored bytes, so a
/// copier needs no key to tell a tampered or truncated object from a good one. A bad object is
/// reported and not copied. At most <c>parallelism</c> objects are in memory at once.
/// </summary>
internal sealed class ObjectCopier(IStorage source, IStorage target, CopyReport report, Action<CopyProgress>? progress, int parallelism)
{
    /// <summary>Which of <paramref name="wanted"/> the target lacks (by key and size); counts the rest as already there.</summary>
    public async Task<List<ObjectInfo>> MissingAsync(string prefix, IReadOnlyCollection<ObjectInfo> wanted, CancellationToken cancellationToken)
    {
        var present = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var info in target.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            present[info.Key] = info.Size;
        }
        // A same-named object of another size is a torn or damaged copy: upload it again.
        var missing = wanted.Where(w => !present.TryGetValue(w.Key, out long size) || size != w.Size).ToList();
        report.AddAlreadyThere(wanted.Count - missing.Count);
        return missing;
    }

    /// <summary>
    /// Copies each object; returns the keys now in the target. <paramref name="isDataPack"/> says which
    /// objects are data packs (a storage class may apply to them), or null when it cannot be known.
    /// </summary>
    public async Task<HashSet<string>> CopyAsync(string phase, IReadOnlyList<ObjectInfo> objects, Func<string, bool>? isDataPack, CancellationToken cancellationToken)
    {
        var copied = new HashSet<string>(StringComparer.Ordinal);
        int done = 0;
        long bytes = 0;
        progress?.Invoke(new CopyProgress(phase, 0, objects.Count, 0));
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (info, ct) =>
        {
            long size = await CopyOneAsync(info.Key, isDataPack?.Invoke(info.Key) == true, ct).ConfigureAwait(false);
            if (size >= 0)
            {
                lock (copied) copied.Add(info.Key);
            }
            progress?.Invoke(new CopyProgress(phase, Interlocked.Increment(ref done), objects.Count, Interlocked.Add(ref bytes, Math.Max(0, size))));
        }).ConfigureAwait(false);
        return copied;
    }

    /// <summary>Bytes copied, or -1 when the object was not copied (damaged, archived, vanished).</summary>
    private async Task<long> CopyOneAsync(string key, bool dataPack, CancellationToken cancellationToken)
    {
        byte[] stored;
        try
        {
            stored = await source.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            report.AddVanished();
            return -1;
        }
        catch (ObjectArchivedException e)
        {
            report.AddArchived(key, e.StorageClass);
            return -1;
        }
        string expected = ObjectKeys.IdOf(key);
        string actual = ObjectKeys.IdFor(stored);
        if (actual != expected)
        {
            report.AddDamaged(key, $"its content does not match its name (SHA-256 {actual[..16]}…): tampered or truncated in the source; not copied");
            return -1;
        }
        if (dataPack)
        {
            await target.PutDataPackAsync(key, stored, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await target.PutAsync(key, stored, cancellationToken).ConfigureAwait(false);
        }
        report.AddCopied(stored.Length);
        return stored.Length;
    }
}
