namespace Offsite.Core.Storage;

/// <summary>
/// A flat namespace of immutable named objects (the bottom layer of the repository).
/// Keys are relative, '/'-separated names such as <c>packs/ab/ab12…</c>. Storage knows nothing of
/// packs or encryption; every backend passes the same conformance suite.
/// </summary>
public interface IStorage : IAsyncDisposable
{
    /// <summary>Human-readable location (never contains credentials).</summary>
    string Location { get; }

    /// <summary>Writes an object, replacing any existing one. Atomic: readers see the old or the new object, never a part.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Creates an object only if none exists with that key (If-None-Match: *). Returns false when one exists.</summary>
    Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Reads a whole object. Throws <see cref="ObjectNotFoundException"/> when missing.</summary>
    Task<byte[]> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a whole object for reading front to back, so a large object (a 16 MiB pack) need not be
    /// held in memory at once. Throws <see cref="ObjectNotFoundException"/> when missing (at the latest
    /// on the first read); a read failing part-way throws <see cref="StorageException"/>, never a
    /// silent end. Backends that cannot stream hand out the whole object.
    /// </summary>
    async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        new MemoryStream(await GetAsync(key, cancellationToken).ConfigureAwait(false), writable: false);

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/>; fewer only at the end of the object.</summary>
    Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken);

    /// <summary>Size and time of an object, or null when it does not exist.</summary>
    Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Lists objects whose key starts with <paramref name="prefix"/>, in no particular order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes an object; deleting a missing object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a pack of file data (not metadata: config, keys, index, snapshots and tree packs use
    /// <see cref="PutAsync"/>). Backends with storage classes may put it in a colder, cheaper class
    /// and tag it so a lifecycle rule can tell it from tree packs (docs/s3.md, "Storage classes").
    /// </summary>
    Task PutDataPackAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        PutAsync(key, data, cancellationToken);

    /// <summary>
    /// Writes an object from <paramref name="data"/>, read from its current position to its end: a pack
    /// sealed into a temporary file, so that a 16 MiB pack is never a 16 MiB buffer. The stream must be
    /// seekable (a backend may read it twice: a checksum, then the body, or again for a retry); the
    /// caller disposes it. Backends that cannot stream read it into memory.
    /// </summary>
    async Task PutAsync(string key, Stream data, CancellationToken cancellationToken) =>
        await PutAsync(key, await ReadRestAsync(data, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>A data pack (see the other overload) from a stream (see <see cref="PutAsync(string, Stream, CancellationToken)"/>).</summary>
    async Task PutDataPackAsync(string key, Stream data, CancellationToken cancellationToken) =>
        await PutDataPackAsync(key, await ReadRestAsync(data, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>The bytes from the stream's position to its end, for backends that write from memory.</summary>
    protected static async Task<byte[]> ReadRestAsync(Stream data, CancellationToken cancellationToken)
    {
        byte[] bytes = new byte[checked((int)(data.Length - data.Position))];
        await data.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }
}

/// <summary>What a listing or head says about one object.</summary>
public sealed record ObjectInfo(string Key, long Size, DateTimeOffset LastModified);
