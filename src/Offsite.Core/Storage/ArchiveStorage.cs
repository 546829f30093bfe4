namespace Offsite.Core.Storage;

/// <summary>How fast (and how expensively) an archived object is brought back (S3 RestoreObject tiers).</summary>
public enum RetrievalTier
{
    Expedited,
    Standard,
    Bulk,
}

/// <summary>Whether an object can be read now.</summary>
public enum ArchiveState
{
    /// <summary>In a class that is read directly (STANDARD, *_IA, GLACIER_IR, INTELLIGENT_TIERING's frequent tiers…).</summary>
    Readable,
    /// <summary>Archived (GLACIER, DEEP_ARCHIVE…) and no retrieval requested: a GET fails until one completes.</summary>
    Archived,
    /// <summary>A retrieval was requested and has not finished.</summary>
    Retrieving,
    /// <summary>Archived, with a temporary copy retrieved (readable until <see cref="ArchiveInfo.RetrievedUntil"/>).</summary>
    Retrieved,
}

/// <summary>What a HEAD says about an object's storage class and retrieval.</summary>
public sealed record ArchiveInfo(ArchiveState State, string StorageClass, DateTimeOffset? RetrievedUntil = null)
{
    public bool CanRead => State is ArchiveState.Readable or ArchiveState.Retrieved;
}

/// <summary>
/// A backend whose objects may sit in archive storage classes that need a retrieval before a read
/// (S3 GLACIER and DEEP_ARCHIVE). Optional: local storage never archives.
/// </summary>
public interface IArchiveStorage
{
    /// <summary>The object's class and retrieval state; throws <see cref="ObjectNotFoundException"/> when missing.</summary>
    Task<ArchiveInfo> GetArchiveStatusAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Asks for a temporary readable copy kept <paramref name="days"/> days. Returns the state after the
    /// request: <see cref="ArchiveState.Retrieving"/>, or <see cref="ArchiveState.Retrieved"/> when a copy is already there.
    /// </summary>
    Task<ArchiveState> RequestRetrievalAsync(string key, int days, RetrievalTier tier, CancellationToken cancellationToken);
}

/// <summary>
/// The object exists but is archived: it cannot be read until a retrieval (RestoreObject) completes.
/// Not damage, not an I/O failure: commands say which objects and how to retrieve them.
/// </summary>
public sealed class ObjectArchivedException : StorageException
{
    public ObjectArchivedException(string key, string storageClass, Exception? inner = null)
        : base($"{key} is archived ({storageClass}): it cannot be read until it is retrieved", inner ?? new InvalidOperationException("archived"))
    {
        Key = key;
        StorageClass = storageClass;
    }

    public ObjectArchivedException() : this("", "") { }
    public ObjectArchivedException(string message) : this(message, "") { }

    public string Key { get; }
    public string StorageClass { get; }
}
