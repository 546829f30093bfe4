using Offsite.Codecs.Chunking;

namespace Offsite.Core.Content;

/// <summary>
/// Saves the chunks of one stream in order while the reader cuts the next ones. Without it a large
/// file or a stream was read, cut and hashed on one thread: a 2 GiB stream backed up a second time
/// spent 1.1 s cutting, then 1.6 s of keyed hashing, one after the other, with a second CPU idle.
/// Each chunk is saved on the thread pool straight from the reader's buffer (the saver copies what it
/// keeps); before a read that moves that buffer (<see cref="ChunkReader.NextMovesBuffer"/>, about once per
/// 8 MiB) the saves in flight are waited for. At most <see cref="HashAhead"/> are in flight, and the ids
/// come back in the stream's order. No buffer of its own: a copy per chunk cost 8 MiB of peak memory.
/// </summary>
public static class ChunkPipeline
{
    /// <summary>Chunks hashed (and, when new, queued for packing) at once behind the reader.</summary>
    public const int HashAhead = 2;

    /// <summary>
    /// Reads <paramref name="reader"/> to its end, adds the id of each chunk to <paramref name="ids"/> in order
    /// and calls <paramref name="onChunk"/> with each chunk's length as it is cut. Returns the bytes read.
    /// When a save fails, the ones in flight are waited for and the first failure is thrown.
    /// </summary>
    public static async Task<long> SaveAllAsync(BlobSaver saver, ChunkReader reader, List<BlobId> ids, Action<long> onChunk, CancellationToken cancellationToken)
    {
        var inFlight = new Queue<Task<BlobId>>(HashAhead);
        long total = 0;
        try
        {
            while (true)
            {
                if (reader.NextMovesBuffer)
                {
                    while (inFlight.Count > 0)
                    {
                        ids.Add(await inFlight.Dequeue().ConfigureAwait(false));
                    }
                }
                var chunk = await reader.NextAsync(cancellationToken).ConfigureAwait(false);
                if (chunk.IsEmpty) break;
                total += chunk.Length;
                onChunk(chunk.Length);
                inFlight.Enqueue(Task.Run(async () => await saver.SaveAsync(BlobType.Data, chunk, cancellationToken).ConfigureAwait(false), CancellationToken.None));
                if (inFlight.Count >= HashAhead)
                {
                    ids.Add(await inFlight.Dequeue().ConfigureAwait(false));
                }
            }
            while (inFlight.Count > 0)
            {
                ids.Add(await inFlight.Dequeue().ConfigureAwait(false));
            }
        }
        finally
        {
            // After a failure (this one's is being thrown): the saves still reading the reader's buffer finish
            // before the caller disposes the reader and its buffer goes back to the pool.
            while (inFlight.Count > 0)
            {
                await ((Task)inFlight.Dequeue()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        return total;
    }
}
