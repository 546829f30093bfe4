using System.CommandLine;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Restore;
using Offsite.Core.Snapshots;
using Offsite.Core.Storage;

namespace Offsite.Cli.Commands;

/// <summary>
/// `restore --retrieval-tier T [--retrieval-days N] [--wait]`: before reading, find the packs the
/// restore needs, start retrievals of archived ones (S3 RestoreObject), and either wait for them or
/// stop with exit code 12 saying which are pending and when to rerun.
/// </summary>
public sealed class RetrievalOptions
{
    public Option<string?> Tier { get; } = new("--retrieval-tier") { Description = "retrieve archived packs (GLACIER, DEEP_ARCHIVE) first: Expedited, Standard or Bulk" };
    public Option<int?> Days { get; } = new("--retrieval-days") { Description = "keep retrieved copies readable this many days (default 3)" };
    public Option<bool> Wait { get; } = new("--wait") { Description = "wait for retrievals to finish (polling with backoff), then restore" };

    public void AddTo(Command command)
    {
        command.Options.Add(Tier);
        command.Options.Add(Days);
        command.Options.Add(Wait);
    }

    /// <summary>Null to go on with the restore, or the exit code to stop with.</summary>
    public async Task<int?> PrepareAsync(ParseResult r, GlobalSettings s, Repository repo, Snapshot snapshot, PathFilter filter, CancellationToken ct)
    {
        string? tierName = r.GetValue(Tier);
        bool wait = r.GetValue(Wait);
        if ((tierName is null && r.GetValue(Days) is null && !wait) || repo.Storage is not IArchiveStorage archive)
        {
            return null;
        }
        var tier = ParseTier(tierName);
        int days = r.GetValue(Days) ?? 3;
        if (days is < 1 or > 30)
        {
            throw new OffsiteException(ErrorKind.Usage, "--retrieval-days must be 1 to 30");
        }
        var walk = new SnapshotPacks(repo);
        await walk.AddAsync(snapshot, filter, ct).ConfigureAwait(false);
        var retrieval = new ArchiveRetrieval(archive, TimeProvider.System);
        var report = await retrieval.PrepareAsync(walk.All, new RetrievalRequest(tier, days), ct).ConfigureAwait(false);
        int total = report.Ready + report.Pending.Count;
        if (report.Pending.Count > 0)
        {
            CommandRunner.Info(s, $"{report.Pending.Count} of {total} packs are archived ({string.Join(", ", report.StorageClasses)}): {report.Requested} retrieval(s) requested now (tier {tier}, kept {days} day(s)), the others were already under way");
        }
        if (report.Pending.Count > 0 && wait)
        {
            report = await retrieval.WaitAsync(report, Polling(), p =>
            {
                if (!s.Quiet)
                {
                    Console.Error.WriteLine($"retrieving: {p.Ready} of {total} packs readable, {p.Pending.Count} pending");
                }
            }, ct).ConfigureAwait(false);
        }
        if (report.Pending.Count == 0)
        {
            return null;
        }
        foreach (var (id, storageClass) in report.Pending.Take(20))
        {
            Console.Error.WriteLine($"pending: pack {id} ({storageClass})");
        }
        if (report.Pending.Count > 20)
        {
            Console.Error.WriteLine($"pending: … and {report.Pending.Count - 20} more");
        }
        return CommandRunner.Fail(ExitCodes.Archived,
            $"{report.Pending.Count} of {total} packs are still being retrieved (tier {tier}: typically {ArchiveRetrieval.TypicalDuration(tier, report.StorageClasses)}); " +
            "rerun this command then (it does not request them again), or add --wait");
    }

    private static RetrievalTier ParseTier(string? name) => name?.ToUpperInvariant() switch
    {
        null or "STANDARD" => RetrievalTier.Standard,
        "EXPEDITED" => RetrievalTier.Expedited,
        "BULK" => RetrievalTier.Bulk,
        _ => throw new OffsiteException(ErrorKind.Usage, $"--retrieval-tier: '{name}' is not Expedited, Standard or Bulk"),
    };

    /// <summary>The default polling, or a first interval in seconds from OFFSITE_RETRIEVAL_POLL_SECONDS (tests, impatient operators).</summary>
    private static RetrievalPolling Polling()
    {
        if (Environment.GetEnvironmentVariable("OFFSITE_RETRIEVAL_POLL_SECONDS") is { Length: > 0 } v)
        {
            if (!int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int seconds) || seconds is < 1 or > 3600)
            {
                throw new OffsiteException(ErrorKind.Usage, $"OFFSITE_RETRIEVAL_POLL_SECONDS: '{v}' is not a whole number from 1 to 3600");
            }
            return RetrievalPolling.Default with { FirstInterval = TimeSpan.FromSeconds(seconds), MaxInterval = TimeSpan.FromSeconds(seconds * 4) };
        }
        return RetrievalPolling.Default;
    }
}
