namespace Offsite.Core.Backup;

/// <summary>The parts of a backup whose CPU <see cref="StageTimes"/> adds up, in pipeline order.</summary>
public enum BackupStage
{
    /// <summary>Loading the repository's index before anything is read.</summary>
    LoadIndex,
    /// <summary>Listing directories and stat-ing their entries (the source's walk).</summary>
    Walk,
    /// <summary>Opening and reading files or the input stream (read system calls).</summary>
    Read,
    /// <summary>Finding chunk boundaries (the gear hash).</summary>
    Chunk,
    /// <summary>The keyed hash that names each chunk, and the dedup lookup.</summary>
    Hash,
    /// <summary>zstd, or deciding to skip it for data that does not compress.</summary>
    Compress,
    /// <summary>age encryption of the stored bytes into the pack's temporary file.</summary>
    Encrypt,
    /// <summary>Writing finished packs and index objects to the storage, and the local cache.</summary>
    Store,
}

/// <summary>
/// CPU seconds of a backup by stage, for a user or a benchmark asking where a backup's cores go
/// (`backup --stage-times`). Each stage is timed on the thread that runs it with a per-thread CPU
/// clock (user + system time, so a read's system call counts as reading), which is why it is opt-in:
/// that clock is a system call. A measurement whose start and end land on different threads (an
/// await that resumed elsewhere) is dropped rather than counted wrong.
/// </summary>
public sealed class StageTimes
{
    private readonly Func<long> _cpuClock;
    private readonly long[] _nanoseconds = new long[Enum.GetValues<BackupStage>().Length];

    /// <param name="cpuClock">the calling thread's CPU time in nanoseconds</param>
    /// <param name="processCpuClock">the whole process's CPU time in nanoseconds, for stages that run
    /// alone and may hop threads (loading the index)</param>
    public StageTimes(Func<long> cpuClock, Func<long> processCpuClock)
    {
        _cpuClock = cpuClock;
        ProcessCpuClock = processCpuClock;
    }

    /// <summary>The thread clock, for code that times itself (the chunk reader).</summary>
    public Func<long> CpuClock => _cpuClock;

    public Func<long> ProcessCpuClock { get; }

    public Mark Start() => new(Environment.CurrentManagedThreadId, _cpuClock());

    public void Stop(BackupStage stage, Mark start)
    {
        if (start.Thread == Environment.CurrentManagedThreadId)
        {
            Add(stage, _cpuClock() - start.CpuNanoseconds);
        }
    }

    public void Add(BackupStage stage, long nanoseconds) => Interlocked.Add(ref _nanoseconds[(int)stage], nanoseconds);

    /// <summary>Adds what a chunk reader opened with <see cref="CpuClock"/> measured.</summary>
    public void AddReader(Codecs.Chunking.ChunkReader reader)
    {
        Add(BackupStage.Read, reader.ReadCpuNanoseconds);
        Add(BackupStage.Chunk, reader.CutCpuNanoseconds);
    }

    /// <summary>Every stage with its CPU seconds, in pipeline order.</summary>
    public IReadOnlyList<(BackupStage Stage, double Seconds)> Seconds() =>
        Enum.GetValues<BackupStage>().Select(s => (s, Interlocked.Read(ref _nanoseconds[(int)s]) / 1e9)).ToList();

    /// <summary>Where a measurement started: the thread and its CPU time then.</summary>
    public readonly record struct Mark(int Thread, long CpuNanoseconds);
}
