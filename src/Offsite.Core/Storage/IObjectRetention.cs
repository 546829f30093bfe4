namespace Offsite.Core.Storage;

/// <summary>
/// Object Lock as a storage may offer it (S3 retention): a locked object version cannot be deleted before its
/// retain-until date. Deleting code asks first, so it never hides a locked object behind a delete marker, and
/// `lock refresh` extends retention on what is still needed.
/// </summary>
public interface IObjectRetention
{
    /// <summary>False when this storage (or the one a wrapper delegates to) has no retention at all.</summary>
    bool RetentionSupported { get; }

    /// <summary>The object's retain-until date, or null when it has none. Throws <see cref="ObjectNotFoundException"/> when missing.</summary>
    Task<DateTimeOffset?> GetRetainUntilAsync(string key, CancellationToken cancellationToken);

    /// <summary>Moves the object's retain-until date to <paramref name="until"/> (retention can only be extended).</summary>
    Task ExtendRetentionAsync(string key, DateTimeOffset until, CancellationToken cancellationToken);
}

/// <summary>Helpers for storages that may or may not offer retention.</summary>
public static class ObjectRetention
{
    /// <summary>The storage's retention, or null when it has none.</summary>
    public static IObjectRetention? Of(IStorage storage) =>
        storage is IObjectRetention { RetentionSupported: true } r ? r : null;
}
