using Offsite.Core.Repository;
using Offsite.Core.Storage;

namespace Offsite.Core.Restore;

/// <summary>What a retrieval request asks for: how fast, and how long the temporary copies stay readable.</summary>
public sealed record RetrievalRequest(RetrievalTier Tier, int Days);

/// <summary>Where the packs a restore needs stand.</summary>
public sealed class RetrievalReport
{
    /// <summary>Packs readable now (never archived, or retrieved).</summary>
    public int Ready { get; internal set; }
    /// <summary>Packs being retrieved (requested now or earlier): pack id → storage class.</summary>
    public SortedDictionary<string, string> Pending { get; } = new(StringComparer.Ordinal);
    /// <summary>Archived packs nobody asked to retrieve (no request was given): pack id → storage class.</summary>
    public SortedDictionary<string, string> NotRequested { get; } = new(StringComparer.Ordinal);
    /// <summary>Retrieval requests issued by this run.</summary>
    public int Requested { get; internal set; }

    public bool AllReady => Pending.Count == 0 && NotRequested.Count == 0;
    public IEnumerable<string> StorageClasses => Pending.Values.Concat(NotRequested.Values).Distinct(StringComparer.Ordinal);
}

/// <summary>How <see cref="ArchiveRetrieval.WaitAsync"/> polls: exponential backoff between the two intervals, up to a limit.</summary>
public sealed record RetrievalPolling(TimeSpan FirstInterval, TimeSpan MaxInterval, TimeSpan Timeout)
{
    /// <summary>Expedited retrievals take minutes, Standard hours: start at a minute, poll at most every 15.</summary>
    public static RetrievalPolling Default { get; } = new(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15), TimeSpan.FromHours(48));
}

/// <summary>
/// Brings back archived packs before a restore reads them: asks the storage for each pack's state
/// (one HEAD each), issues a retrieval (S3 RestoreObject) for archived ones when asked to, and can
/// wait, polling with backoff, until all are readable. Packs never archived cost one HEAD each.
/// </summary>
public sealed class ArchiveRetrieval(IArchiveStorage storage, TimeProvider time, int parallelism = 8)
{
    /// <summary>States of <paramref name="packIds"/>; with <paramref name="request"/>, retrievals are started for archived ones.</summary>
    public async Task<RetrievalReport> PrepareAsync(IEnumerable<string> packIds, RetrievalRequest? request, CancellationToken cancellationToken)
    {
        var report = new RetrievalReport();
        await Parallel.ForEachAsync(packIds.Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            string key = ObjectKeys.Pack(id);
            var status = await storage.GetArchiveStatusAsync(key, ct).ConfigureAwait(false);
            var state = status.State;
            bool requested = false;
            if (state == ArchiveState.Archived && request is not null)
            {
                state = await storage.RequestRetrievalAsync(key, request.Days, request.Tier, ct).ConfigureAwait(false);
                requested = true;
            }
            lock (report)
            {
                report.Requested += requested ? 1 : 0;
                switch (state)
                {
                    case ArchiveState.Readable or ArchiveState.Retrieved:
                        report.Ready++;
                        break;
                    case ArchiveState.Retrieving:
                        report.Pending[id] = status.StorageClass;
                        break;
                    default:
                        report.NotRequested[id] = status.StorageClass;
                        break;
                }
            }
        }).ConfigureAwait(false);
        return report;
    }

    /// <summary>
    /// Polls the pending packs of <paramref name="report"/> until all are readable, sleeping between
    /// rounds (doubling from the first interval to the maximum); <paramref name="progress"/> hears
    /// after each round. Returns the final report; past the timeout, the last one with packs still pending.
    /// </summary>
    public async Task<RetrievalReport> WaitAsync(RetrievalReport report, RetrievalPolling polling, Action<RetrievalReport>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(polling);
        var started = time.GetTimestamp();
        var interval = polling.FirstInterval;
        if (report.Pending.Count == 0)
        {
            return report;
        }
        // The next sleep is armed before progress is reported: whoever hears of a round (a test on a
        // fake clock) may move the clock on at once.
        var sleep = Task.Delay(interval, time, cancellationToken);
        while (true)
        {
            await sleep.ConfigureAwait(false);
            interval = TimeSpan.FromTicks(Math.Min(polling.MaxInterval.Ticks, interval.Ticks * 2));
            var next = await PrepareAsync(report.Pending.Keys.ToList(), null, cancellationToken).ConfigureAwait(false);
            var merged = new RetrievalReport { Ready = report.Ready + next.Ready, Requested = report.Requested };
            foreach (var (id, c) in next.Pending) merged.Pending[id] = c;
            foreach (var (id, c) in report.NotRequested.Concat(next.NotRequested)) merged.NotRequested[id] = c;
            report = merged;
            bool again = report.Pending.Count > 0 && time.GetElapsedTime(started) < polling.Timeout;
            if (again)
            {
                sleep = Task.Delay(interval, time, cancellationToken);
            }
            progress?.Invoke(report);
            if (!again)
            {
                break;
            }
        }
        return report;
    }

    /// <summary>How long a retrieval usually takes (AWS S3 documentation), for "rerun after" messages.</summary>
    public static string TypicalDuration(RetrievalTier tier, IEnumerable<string> storageClasses) =>
        storageClasses.Contains("DEEP_ARCHIVE")
            ? tier == RetrievalTier.Bulk ? "within 48 hours" : "within 12 hours"
            : tier switch
            {
                RetrievalTier.Expedited => "1–5 minutes",
                RetrievalTier.Bulk => "5–12 hours",
                _ => "3–5 hours",
            };
}
