using Offsite.Core.Backup;
using Offsite.Core.Repository;
using Offsite.Posix;
using Offsite.Storage.Local;

namespace Offsite.Core.Tests;

/// <summary>`backup --stage-times`: every stage of a backup that does work reports CPU, and no more than the process used.</summary>
public sealed class StageTimesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "offsite-stages-" + Guid.NewGuid().ToString("N"));

    public StageTimesTests() => Environment.SetEnvironmentVariable("OFFSITE_SCRYPT_LOG_N", "10");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task A_backup_of_new_data_spends_cpu_in_every_stage_and_no_more_than_the_process()
    {
        string source = Path.Combine(_dir, "src");
        Directory.CreateDirectory(source);
        var random = new Random(7);
        for (int i = 0; i < 4; i++)
        {
            var data = new byte[3 << 20];
            random.NextBytes(data);
            File.WriteAllBytes(Path.Combine(source, $"random{i}"), data);
            File.WriteAllText(Path.Combine(source, $"text{i}"), string.Concat(Enumerable.Range(0, 200_000).Select(n => $"line {n % 977}\n")));
        }
        var repo = await Repository.Repository.InitAsync(new LocalStorage(Path.Combine(_dir, "repo")), "pw", new RepositoryConfig(), Path.Combine(_dir, "cache"), default);
        long processBefore = ThreadClock.ProcessCpuNanoseconds();
        var stages = new StageTimes(ThreadClock.CpuNanoseconds, ThreadClock.ProcessCpuNanoseconds);

        await new BackupRunner(repo) { Stages = stages }.BackupTreeAsync(new Offsite.Sources.Files.LocalDirectorySource([source]), new SnapshotTemplate("t", "h", [source], []), default);

        double processSeconds = (ThreadClock.ProcessCpuNanoseconds() - processBefore) / 1e9;
        var seconds = stages.Seconds().ToDictionary(s => s.Stage, s => s.Seconds);
        foreach (var stage in new[] { BackupStage.Walk, BackupStage.Read, BackupStage.Chunk, BackupStage.Hash, BackupStage.Compress, BackupStage.Encrypt })
        {
            Assert.True(seconds[stage] > 0, $"{stage}: {seconds[stage]} s");
        }
        Assert.True(seconds.Values.Sum() <= processSeconds, $"stages {seconds.Values.Sum()} s > process {processSeconds} s");
    }

    [Fact]
    public async Task A_measurement_that_ends_on_another_thread_is_dropped()
    {
        long clock = 0;
        var stages = new StageTimes(() => clock += 1_000_000, () => 0);
        var mark = stages.Start();

        stages.Stop(BackupStage.Chunk, mark);
        await Task.Factory.StartNew(() => stages.Stop(BackupStage.Read, mark), TaskCreationOptions.LongRunning); // a thread of its own

        var seconds = stages.Seconds().ToDictionary(s => s.Stage, s => s.Seconds);
        Assert.Equal(0, seconds[BackupStage.Read]);
        Assert.True(seconds[BackupStage.Chunk] > 0);
    }
}
