namespace Offsite.Server.Scheduling;

/// <summary>What the server knows about one job between runs (in memory; the last success is also in the lease object).</summary>
public sealed class JobState
{
    public JobState(string name) => Name = name;

    public string Name { get; }
    public volatile bool Paused;
    public DateTimeOffset? NextRun { get; set; }
    public RunRecord? LastRun { get; set; }
    public DateTimeOffset? LastSuccess { get; set; }
    public string? LastError { get; set; }
    public RunRecord? Current { get; set; }
}
