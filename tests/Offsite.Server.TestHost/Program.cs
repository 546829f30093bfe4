using System.Globalization;
using System.Text;
using Offsite.Core.Storage;
using Offsite.Server.Abstractions;
using Offsite.Server.Hosting;
using Offsite.Storage.Local;

// Usage: Offsite.Server.TestHost <repo-dir> <events-file> <address-file> <host-name> <schedule|-> <work-seconds> <grace-seconds> <lease-ttl-seconds>
// Runs `offsite serve` for one job "shared" on the repository directory (leases there). The job's executor appends
// "start|commit|cancel|end <host>" lines to the events file, and holds <repo-dir>/busy (created exclusively) while it runs:
// a second run anywhere at the same time finds it and writes "OVERLAP".
string repo = args[0];
string events = args[1];
string addressFile = args[2];
string host = args[3];
string? schedule = args[4] == "-" ? null : args[4];
double work = double.Parse(args[5], CultureInfo.InvariantCulture);
double grace = double.Parse(args[6], CultureInfo.InvariantCulture);
double ttl = double.Parse(args[7], CultureInfo.InvariantCulture);

var options = new ServerOptions
{
    Token = "process-test-token",
    Port = 0,
    HostName = host,
    ShutdownGrace = TimeSpan.FromSeconds(grace),
    LeaseTtl = TimeSpan.FromSeconds(ttl),
    CatchUpMissedRuns = false,
};
var job = new JobDefinition { Name = "shared", Repository = "main", Schedule = schedule };
await using var storage = new LocalStorage(repo);
RunningServer server = await ServerHost.StartAsync(options, new OneJob(job), new EventExecutor(repo, events, host, TimeSpan.FromSeconds(work)),
    new NoQueries(), new OneStorage(storage), null, CancellationToken.None);
await File.WriteAllTextAsync(addressFile + ".tmp", server.BaseAddress.ToString());
File.Move(addressFile + ".tmp", addressFile);
await server.WaitForShutdownAsync(CancellationToken.None);
await server.DisposeAsync();
return 0;

internal sealed class OneJob(JobDefinition job) : IJobCatalog
{
    public IReadOnlyList<JobDefinition> Jobs { get; } = [job];
    public IReadOnlyList<string> Repositories { get; } = [job.Repository];
    public Task<CatalogReloadResult> ReloadAsync(CancellationToken cancellationToken) => Task.FromResult(CatalogReloadResult.Success);
}

internal sealed class OneStorage(IStorage storage) : ILeaseStorageProvider
{
    public IStorage GetStorage(string repository) => storage;
}

internal sealed class NoQueries : IRepositoryQueries
{
    public Task<IReadOnlyList<SnapshotSummary>> ListSnapshotsAsync(SnapshotFilter filter, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<SnapshotSummary>>([]);
    public Task<CheckReport> CheckAsync(string repository, string? readDataSubset, CancellationToken cancellationToken) => Task.FromResult(new CheckReport(true, [], 0, 0));
    public Task<ForgetReport> ForgetAsync(string repository, string? job, bool dryRun, CancellationToken cancellationToken) => throw new RepositoryOperationNotSupportedException("no retention");
    public Task<PruneReport> PruneAsync(string repository, bool dryRun, CancellationToken cancellationToken) => throw new RepositoryOperationNotSupportedException("no retention");
    public Task<RepositoryStats> GetStatsAsync(string repository, CancellationToken cancellationToken) => Task.FromResult(new RepositoryStats(0, 0));
}

internal sealed class EventExecutor(string repo, string events, string host, TimeSpan work) : IJobExecutor
{
    public async Task<JobRunResult> RunAsync(string jobName, IRunLog log, Func<CancellationToken, Task> beforeCommitFence, CancellationToken cancellationToken)
    {
        string busy = Path.Combine(repo, "busy");
        FileStream? mine = null;
        try
        {
            mine = new FileStream(busy, FileMode.CreateNew, FileAccess.Write);
        }
        catch (IOException)
        {
            Append("OVERLAP");
        }
        Append("start");
        try
        {
            await Task.Delay(work, cancellationToken);
            await beforeCommitFence(cancellationToken);
            Append("commit");
            return new JobRunResult { SnapshotIds = [host + "-" + Guid.NewGuid().ToString("N")[..8]], BytesRead = 1, Files = 1 };
        }
        catch (OperationCanceledException)
        {
            Append("cancel");
            throw;
        }
        finally
        {
            if (mine is not null)
            {
                await mine.DisposeAsync();
                File.Delete(busy);
            }
            Append("end");
        }
    }

    private void Append(string what)
    {
        // One write(2) per line with O_APPEND: lines from several processes never interleave.
        using var f = new FileStream(events, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        f.Write(Encoding.UTF8.GetBytes($"{what} {host} {DateTimeOffset.UtcNow:O}\n"));
    }
}
