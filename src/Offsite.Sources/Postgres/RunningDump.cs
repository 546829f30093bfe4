using Offsite.Core.Backup;
using Offsite.Posix;

namespace Offsite.Sources.Postgres;

/// <summary>
/// A dump program that has been started and whose output has not been stored yet. Starting it
/// before the repository is open lets pg_dump connect, lock its tables and read the catalog while
/// the passphrase is stretched; disposing it kills the program if it is still running.
/// </summary>
public sealed class RunningDump : IAsyncDisposable
{
    internal RunningDump(PgProcess process, string fileName, SnapshotTemplate template, Task<string?> versionWarning)
    {
        Process = process;
        FileName = fileName;
        Template = template;
        VersionWarning = versionWarning;
        Output = process.OpenBulkOutput();
        Output.StartReadAhead(ReadAheadLimit);
    }

    /// <summary>
    /// How much dump output may wait in memory while the repository opens: about 0.3 s of pg_dump
    /// at full speed, which is what stretching a passphrase takes. Freed as the backup reads it.
    /// </summary>
    public const long ReadAheadLimit = 64L << 20;

    internal PgProcess Process { get; }

    internal PipeInputStream Output { get; }

    /// <summary>The file name inside the snapshot (<c>db.dump</c>, <c>db.sql</c>, <c>globals.sql</c>).</summary>
    public string FileName { get; }

    public SnapshotTemplate Template { get; }

    /// <summary>A warning about the dump program's version, checked while the dump runs (null: nothing to say).</summary>
    internal Task<string?> VersionWarning { get; }

    public async ValueTask DisposeAsync()
    {
        // The program first: killing it ends a read-ahead blocked on its output.
        await Process.DisposeAsync().ConfigureAwait(false);
        await Output.DisposeAsync().ConfigureAwait(false);
        // Observed here so a failed check never surfaces as an unobserved task exception.
        await VersionWarning.ConfigureAwait(false);
    }
}
