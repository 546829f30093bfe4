using System.Buffers;
using Offsite.Core.Repository;
using Offsite.Crypto.Age;

namespace Offsite.Core.Content;

/// <summary>
/// Reads the wanted blobs of one pack as its body streams in: each age chunk is decrypted into a
/// 64 KiB buffer and copied into the stored bytes of the blob it belongs to, and a blob is handed on
/// as soon as its last chunk is in. A pack costs one blob's stored bytes in memory (pooled), not its
/// whole plaintext (16 MiB), which a restore held for two packs at a time. Chunks before the first
/// wanted blob and between wanted blobs are read but not decrypted; reading stops after the last.
/// A chunk that fails authentication, or is cut off by a short body, costs the blobs it touches.
/// </summary>
internal static class PackBlobStream
{
    /// <summary>Age chunks read from the body at a time: just under 1 MiB, few reads and little memory.</summary>
    private const int ReadChunks = 15;

    /// <summary>What happened to one wanted blob: its stored bytes (valid during the call only), or why they are lost.</summary>
    public delegate ValueTask BlobVisitor(PackEntry entry, ReadOnlyMemory<byte> stored, string? damage);

    /// <summary>
    /// Streams <paramref name="body"/> and calls <paramref name="visit"/> for every entry of
    /// <paramref name="wanted"/> (sorted by offset, not overlapping), in that order. False when the
    /// header does not fit the first <see cref="PackRanges.HeaderPrefix"/> bytes (nothing was visited;
    /// the caller reads the pack another way).
    /// </summary>
    /// <param name="storedLength">the pack's size from the index: where its last chunk ends</param>
    /// <param name="buffers">where the blobs' stored bytes are rented</param>
    public static async Task<bool> ReadAsync(string packId, Stream body, long storedLength, IReadOnlyList<IIdentity> identities,
        IReadOnlyList<PackEntry> wanted, ArrayPool<byte> buffers, BlobVisitor visit, CancellationToken cancellationToken)
    {
        const int CipherChunk = AgeSizes.CipherChunkSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadChunks * CipherChunk);
        byte[] plain = ArrayPool<byte>.Shared.Rent(AgeSizes.ChunkSize);
        byte[]? stored = null;
        int next = 0; // the first wanted entry not visited yet
        try
        {
            int count = await PackStream.FillAsync(body, buffer.AsMemory(0, (int)Math.Min(PackRanges.HeaderPrefix, storedLength)), packId, cancellationToken).ConfigureAwait(false);
            AgeHeaderInfo header;
            try
            {
                header = AgeFile.ReadHeader(buffer.AsSpan(0, count), identities);
            }
            catch (AgeException e) when (e.Kind == AgeErrorKind.Truncated && count == PackRanges.HeaderPrefix)
            {
                return false; // an unusually long header (many stanzas)
            }
            using (header)
            {
                long plainTotal = header.PlaintextLength(storedLength);
                long chunks = (plainTotal + AgeSizes.ChunkSize - 1) / AgeSizes.ChunkSize;
                // buffer[start, end) holds ciphertext read but not used yet; it begins at cipherStart.
                int start = header.PayloadOffset, end = count;
                long cipherStart = header.PayloadOffset;
                string? damage = null; // of the entry being filled
                for (long chunk = 0; chunk < chunks && next < wanted.Count; chunk++)
                {
                    long plainOffset = chunk * AgeSizes.ChunkSize;
                    int plainLength = (int)Math.Min(AgeSizes.ChunkSize, plainTotal - plainOffset);
                    int cipherLength = (int)Math.Min(CipherChunk, storedLength - cipherStart);
                    if (end - start < cipherLength)
                    {
                        // Refill: up to ReadChunks chunks in one read, never past the pack's end.
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                        int want = (int)Math.Min(buffer.Length - end, storedLength - cipherStart - end);
                        end += await PackStream.FillAsync(body, buffer.AsMemory(end, want), packId, cancellationToken).ConfigureAwait(false);
                    }
                    if (end - start < cipherLength)
                    {
                        break; // the body ended early: what is left is reported below
                    }
                    if (wanted[next].Offset < plainOffset + plainLength)
                    {
                        string? chunkDamage = null;
                        try
                        {
                            header.DecryptRange(plainOffset, buffer.AsSpan(start, cipherLength), storedLength, plain.AsSpan(0, plainLength));
                        }
                        catch (AgeException e)
                        {
                            chunkDamage = ObjectCodec.Describe(e.Kind);
                        }
                        // Every wanted entry this chunk touches: fill it, and hand on the ones it completes.
                        while (next < wanted.Count && wanted[next].Offset < plainOffset + plainLength)
                        {
                            var entry = wanted[next];
                            stored ??= buffers.Rent(entry.Length);
                            damage ??= chunkDamage;
                            long from = Math.Max(entry.Offset, plainOffset), to = Math.Min(entry.Offset + entry.Length, plainOffset + plainLength);
                            if (damage is null)
                            {
                                plain.AsSpan((int)(from - plainOffset), (int)(to - from)).CopyTo(stored.AsSpan((int)(from - entry.Offset)));
                            }
                            if (entry.Offset + entry.Length > plainOffset + plainLength)
                            {
                                break; // continues in the next chunk
                            }
                            await visit(entry, damage is null ? stored.AsMemory(0, entry.Length) : default, damage is null ? null : $"blob {entry.Id.Short} in pack {packId[..8]} is damaged ({damage})").ConfigureAwait(false);
                            buffers.Return(stored);
                            stored = null;
                            damage = null;
                            next++;
                        }
                    }
                    start += cipherLength;
                    cipherStart += cipherLength;
                }
                // Entries the body did not reach: cut off, or beyond what the pack holds.
                for (; next < wanted.Count; next++)
                {
                    var entry = wanted[next];
                    string reason = entry.Offset + entry.Length > plainTotal
                        ? $"blob {entry.Id.Short}: index points past the end of pack {packId[..8]}"
                        : $"blob {entry.Id.Short} in pack {packId[..8]} is damaged ({ObjectCodec.Describe(AgeErrorKind.Truncated)})";
                    await visit(entry, default, reason).ConfigureAwait(false);
                }
                return true;
            }
        }
        catch (AgeException e)
        {
            // The header: no blob of the pack is readable.
            for (; next < wanted.Count; next++)
            {
                await visit(wanted[next], default, $"blob {wanted[next].Id.Short}: pack {packId[..8]} cannot be decrypted ({ObjectCodec.Describe(e.Kind)})").ConfigureAwait(false);
            }
            return true;
        }
        finally
        {
            if (stored is not null) buffers.Return(stored);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plain.AsSpan(0, AgeSizes.ChunkSize));
            ArrayPool<byte>.Shared.Return(plain);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
