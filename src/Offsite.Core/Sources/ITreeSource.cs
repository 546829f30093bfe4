namespace Offsite.Core.Sources;

/// <summary>
/// A tree of entries to back up: a local directory, a Docker volume, the objects of an S3 bucket.
/// The archiver asks for the root's entries, then for each directory's entries, and opens files
/// whose fingerprint changed since the parent snapshot. An implementation lives in its own folder
/// of a sources project; nothing in Core knows which ones exist.
/// </summary>
public interface ITreeSource
{
    /// <summary>
    /// Keys the files cache: two runs of one source with the same key compare fingerprints, so an
    /// unchanged entry is not read again (e.g. "paths:/etc\0/srv" or "s3:endpoint/bucket/prefix").
    /// </summary>
    string CacheKey { get; }

    /// <summary>The entries of the snapshot's root directory.</summary>
    IAsyncEnumerable<SourceEntry> ListRootAsync(CancellationToken cancellationToken);

    /// <summary>The entries of <paramref name="directory"/>, which this source returned earlier.</summary>
    IAsyncEnumerable<SourceEntry> ListAsync(SourceEntry directory, CancellationToken cancellationToken);

    /// <summary>Opens a regular file this source returned earlier, positioned at its start.</summary>
    ValueTask<Stream> OpenReadAsync(SourceEntry file, CancellationToken cancellationToken);
}
