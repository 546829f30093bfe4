using Offsite.Core.Storage;

namespace Offsite.TestSupport.Storage;

/// <summary>
/// Forwards every call to an inner storage; derive from it to observe or change one operation (Kopia's
/// blobtesting wrappers). Retention is forwarded when the inner storage has it.
/// </summary>
public class DelegatingStorage : IStorage, IObjectRetention
{
    public DelegatingStorage(IStorage inner) => Inner = inner ?? throw new ArgumentNullException(nameof(inner));

    public IStorage Inner { get; }

    public virtual string Location => Inner.Location;

    public virtual Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => Inner.PutAsync(key, data, cancellationToken);

    public virtual Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => Inner.TryCreateAsync(key, data, cancellationToken);

    public virtual Task<byte[]> GetAsync(string key, CancellationToken cancellationToken) => Inner.GetAsync(key, cancellationToken);

    /// <summary>Through <see cref="GetAsync"/>, so what a subclass does to reads applies to streamed ones too.</summary>
    public virtual async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        new MemoryStream(await GetAsync(key, cancellationToken).ConfigureAwait(false), writable: false);

    public virtual Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken) => Inner.GetRangeAsync(key, offset, length, cancellationToken);

    public virtual Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken) => Inner.HeadAsync(key, cancellationToken);

    public virtual IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => Inner.ListAsync(prefix, cancellationToken);

    public virtual Task DeleteAsync(string key, CancellationToken cancellationToken) => Inner.DeleteAsync(key, cancellationToken);

    public virtual bool RetentionSupported => ObjectRetention.Of(Inner) is not null;

    public virtual Task<DateTimeOffset?> GetRetainUntilAsync(string key, CancellationToken cancellationToken) =>
        RetentionOfInner().GetRetainUntilAsync(key, cancellationToken);

    public virtual Task ExtendRetentionAsync(string key, DateTimeOffset until, CancellationToken cancellationToken) =>
        RetentionOfInner().ExtendRetentionAsync(key, until, cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Inner.DisposeAsync();
    }

    private IObjectRetention RetentionOfInner() =>
        ObjectRetention.Of(Inner) ?? throw new NotSupportedException($"{Inner.Location} has no object retention");
}
