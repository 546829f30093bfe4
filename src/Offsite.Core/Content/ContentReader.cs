namespace Offsite.Core.Content;

/// <summary>
/// Streams a file's content (its data blob ids, in order) to destinations with blobs loaded ahead,
/// so downloading, decrypting and decompressing the next packs overlaps with writing this one.
/// Memory: <paramref name="prefetch"/> blobs plus the loader's cached packs.
/// </summary>
public static class ContentReader
{
    public const int DefaultPrefetch = 4;

    /// <param name="first">the first blob's bytes when the caller already loaded it (format sniffing), else null</param>
    public static async Task CopyToAsync(BlobLoader loader, IReadOnlyList<string> content, IReadOnlyList<Stream> destinations,
        CancellationToken cancellationToken, int prefetch = DefaultPrefetch, byte[]? first = null)
    {
        var pending = new Queue<Task<byte[]>>();
        int next = 0;
        while (next < content.Count || pending.Count > 0)
        {
            while (next < content.Count && pending.Count < prefetch)
            {
                pending.Enqueue(Load(next++));
            }
            byte[] data = await pending.Dequeue().ConfigureAwait(false);
            foreach (var destination in destinations)
            {
                await destination.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            }
        }
        foreach (var destination in destinations)
        {
            await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        Task<byte[]> Load(int index)
        {
            if (index == 0 && first is not null)
            {
                return Task.FromResult(first);
            }
            var id = BlobId.Parse(content[index]);
            return Task.Run(() => loader.LoadAsync(id, cancellationToken), cancellationToken);
        }
    }
}
