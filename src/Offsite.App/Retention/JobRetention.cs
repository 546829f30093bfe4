using Offsite.App.Config;
using Offsite.App.Jobs;
using Offsite.App.Snapshots;
using Offsite.Core.Errors;
using Offsite.Core.Retention;

namespace Offsite.App.Retention;

/// <summary>
/// The retention a `forget` applies: the rules given on the command line, or, when none is given and a job is
/// named, that job's <c>retention:</c> section from the config file, applied to that job's snapshots only (the
/// <c>job:NAME</c> tag every run of the job writes), so one job's policy never removes another job's snapshots.
/// </summary>
public static class JobRetention
{
    public static (RetentionPolicy Policy, SnapshotFilter Filter) Resolve(RetentionPolicy given, SnapshotFilter filter, string? jobName, Func<OffsiteConfig> loadConfig)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(loadConfig);
        if (!given.IsEmpty || jobName is null)
        {
            return (given, filter);
        }
        var config = loadConfig();
        var job = ConfigResolver.Job(config, jobName);
        if (job.Retention is null)
        {
            throw new OffsiteException(ErrorKind.Usage,
                $"job '{jobName}' in {config.File} has no retention: section; give rules (--keep-last, --keep-daily, --keep-within, …) or add one");
        }
        string jobTag = JobRunner.JobTagPrefix + jobName;
        return (job.Retention.ToPolicy(), filter with { Tags = [.. filter.Tags ?? [], jobTag] });
    }
}
