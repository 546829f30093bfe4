using Offsite.Server.Abstractions;

namespace Offsite.Server.Scheduling;

/// <summary>A job of the config in force with its parsed schedule (null: manual only) and its runtime state.</summary>
public sealed record ScheduledJob(JobDefinition Definition, CronSchedule? Schedule, JobState State)
{
    /// <summary>Time between the next two scheduled times, or null for manual-only jobs.</summary>
    public TimeSpan? Interval(DateTimeOffset now)
    {
        if (Schedule?.Next(now) is not { } first || Schedule.Next(first) is not { } second)
        {
            return null;
        }
        return second - first;
    }

    /// <summary>Parses and checks a job definition; throws <see cref="FormatException"/> with one line naming the job and the problem.</summary>
    public static CronSchedule? Compile(JobDefinition job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!Leases.JobNames.IsValid(job.Name))
        {
            throw new FormatException($"invalid job name '{job.Name}': use letters, digits, '.', '_' and '-' (at most 100)");
        }
        if (job.Jitter < TimeSpan.Zero || job.Timeout <= TimeSpan.Zero)
        {
            throw new FormatException($"job {job.Name}: jitter must not be negative and timeout must be positive");
        }
        if (string.IsNullOrWhiteSpace(job.Schedule))
        {
            return null;
        }
        try
        {
            return CronSchedule.Parse(job.Schedule, job.TimeZone);
        }
        catch (FormatException e)
        {
            throw new FormatException($"job {job.Name}: {e.Message}", e);
        }
    }
}
