using System.Buffers;
using Offsite.Core.Repository;
using Offsite.Core.Storage;
using Offsite.Crypto.Age;

namespace Offsite.Core.Content;

/// <summary>
/// Reads a whole pack front to back from its stored body, decrypting each age chunk as it arrives
/// into one plaintext buffer: a pack costs its plaintext in memory, not also its ciphertext (and a
/// download buffer and its copy). A chunk that fails authentication, or is cut off by a short body,
/// is remembered as damaged; the blobs outside damaged chunks stay readable, as with a pack read whole.
/// </summary>
internal static class PackStream
{
    /// <summary>Age chunks read from the body at a time: just under 1 MiB, few reads and little memory.</summary>
    private const int ReadChunks = 15;

    /// <summary>
    /// The pack's plaintext with its damaged chunks, or null when the header does not fit the first
    /// <see cref="PackRanges.HeaderPrefix"/> bytes or the pack is empty (the caller reads it whole).
    /// </summary>
    /// <param name="storedLength">the pack's size from the index: where its last chunk ends</param>
    public static async Task<PackData?> ReadAsync(string packId, Stream body, long storedLength, IReadOnlyList<IIdentity> identities,
        CancellationToken cancellationToken)
    {
        const int Chunk = AgeSizes.CipherChunkSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadChunks * Chunk);
        try
        {
            int count = await FillAsync(body, buffer.AsMemory(0, (int)Math.Min(PackRanges.HeaderPrefix, storedLength)), packId, cancellationToken).ConfigureAwait(false);
            AgeHeaderInfo header;
            try
            {
                header = AgeFile.ReadHeader(buffer.AsSpan(0, count), identities);
            }
            catch (AgeException e) when (e.Kind == AgeErrorKind.Truncated && count == PackRanges.HeaderPrefix)
            {
                return null; // an unusually long header (many stanzas)
            }
            using (header)
            {
                long plainTotal = header.PlaintextLength(storedLength);
                if (plainTotal == 0)
                {
                    return null;
                }
                byte[] plaintext = GC.AllocateUninitializedArray<byte>(checked((int)plainTotal));
                // buffer[start, end) holds ciphertext read but not decrypted yet; it begins at cipherStart.
                int start = header.PayloadOffset, end = count;
                var damaged = new List<long>();
                string? problem = null;
                long chunks = (plainTotal + AgeSizes.ChunkSize - 1) / AgeSizes.ChunkSize;
                long cipherStart = header.PayloadOffset;
                for (long chunk = 0; chunk < chunks; chunk++)
                {
                    int cipherLength = (int)Math.Min(Chunk, storedLength - cipherStart);
                    if (end - start < cipherLength)
                    {
                        // Refill: up to ReadChunks chunks in one read, never past the pack's end.
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                        int wanted = (int)Math.Min(buffer.Length - end, storedLength - cipherStart - end);
                        end += await FillAsync(body, buffer.AsMemory(end, wanted), packId, cancellationToken).ConfigureAwait(false);
                    }
                    if (end - start < cipherLength)
                    {
                        // The body ended early: every chunk from here on is lost.
                        for (long lost = chunk; lost < chunks; lost++) damaged.Add(lost);
                        problem ??= ObjectCodec.Describe(AgeErrorKind.Truncated);
                        break;
                    }
                    long plainOffset = chunk * AgeSizes.ChunkSize;
                    int plainLength = (int)Math.Min(AgeSizes.ChunkSize, plainTotal - plainOffset);
                    try
                    {
                        header.DecryptRange(plainOffset, buffer.AsSpan(start, cipherLength), storedLength, plaintext.AsSpan((int)plainOffset, plainLength));
                    }
                    catch (AgeException e)
                    {
                        damaged.Add(chunk);
                        problem ??= ObjectCodec.Describe(e.Kind);
                    }
                    start += cipherLength;
                    cipherStart += cipherLength;
                }
                return PackData.Streamed(packId, plaintext, damaged, problem ?? "");
            }
        }
        catch (AgeException e)
        {
            return PackData.Broken(packId, $"cannot be decrypted ({ObjectCodec.Describe(e.Kind)})");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads until <paramref name="into"/> is full or the body ends; returns the bytes read.</summary>
    internal static async Task<int> FillAsync(Stream body, Memory<byte> into, string packId, CancellationToken cancellationToken)
    {
        int total = 0;
        try
        {
            while (total < into.Length)
            {
                int n = await body.ReadAsync(into[total..], cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                total += n;
            }
        }
        catch (IOException e)
        {
            throw new StorageException($"reading pack {packId[..8]}: {e.Message}", e);
        }
        return total;
    }
}
