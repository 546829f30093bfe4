namespace Offsite.Core.Sources;

/// <summary>
/// A source of one or more named streams, each stored as one file in its own snapshot:
/// pg_dump per database, a command's output, a raft snapshot over HTTP, a dump run in a container.
/// Streams are chunked while they arrive: nothing is held whole in memory or written to disk.
/// </summary>
public interface IStreamSource
{
    /// <summary>
    /// What this run will back up (for PostgreSQL with all databases: one item per database).
    /// Listing may ask the server; a failure here fails the whole source.
    /// </summary>
    Task<IReadOnlyList<IStreamItem>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>One stream of a stream source, not started yet.</summary>
public interface IStreamItem
{
    /// <summary>The snapshot's source name (e.g. <c>pg:db:5432/app</c>), what <c>latest --source</c> matches.</summary>
    string SourceName { get; }

    /// <summary>The file name the stream gets in the snapshot (e.g. <c>app.dump</c>).</summary>
    string FileName { get; }

    /// <summary>Tags this kind of source always adds (e.g. <c>postgres</c>).</summary>
    IReadOnlyList<string> Tags { get; }

    /// <summary>Starts the producer (a process, a request). It may fail with a SourceFailed error.</summary>
    Task<SourceStream> OpenAsync(CancellationToken cancellationToken);
}

/// <summary>A running producer: its data, and the verdict once the data has ended.</summary>
public abstract class SourceStream : IAsyncDisposable
{
    /// <summary>The data, read once to its end.</summary>
    public abstract Stream Content { get; }

    /// <summary>
    /// Runs after <see cref="Content"/> ended and before anything refers to it: throws a
    /// SourceFailed <see cref="Errors.OffsiteException"/> when the producer failed (a non-zero
    /// exit, a truncated HTTP body), so that no snapshot is written.
    /// </summary>
    public abstract Task CompleteAsync(CancellationToken cancellationToken);

    /// <summary>Warnings learnt while streaming (e.g. a client older than the server), reported after the run.</summary>
    public virtual IReadOnlyList<string> Warnings => [];

    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the producer if it still runs and releases its resources.</summary>
    protected abstract ValueTask DisposeAsyncCore();
}
