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
    internal RunningDump(PgProcess process, string program, PgConnection connection, string fileName, SnapshotTemplate template)
    {
        Process = process;
        Program = program;
        Connection = connection;
        FileName = fileName;
        Template = template;
        Output = process.OpenBulkOutput();
        Output.StartReadAhead(ReadAheadLimit);
    }

    /// <summary>
    /// How much dump output may wait in memory while the repository opens: about 0.3 s of pg_dump
    /// at full speed, which is what stretching a passphrase takes. Freed as the backup reads it.
    /// </summary>
    public const long ReadAheadLimit = 64L << 20;

    internal PgProcess Process { get; }

    /// <summary>The dump program as started (a path with --pg-bin).</summary>
    internal string Program { get; }

    internal PgConnection Connection { get; }

    internal PipeInputStream Output { get; }

    /// <summary>The file name inside the snapshot (<c>db.dump</c>, <c>db.sql</c>, <c>globals.sql</c>).</summary>
    public string FileName { get; }

    public SnapshotTemplate Template { get; }

    public async ValueTask DisposeAsync()
    {
        // The program first: killing it ends a read-ahead blocked on its output.
        await Process.DisposeAsync().ConfigureAwait(false);
        await Output.DisposeAsync().ConfigureAwait(false);
    }
}
