using Offsite.Core.Repository;
using Offsite.Crypto.Age;

namespace Offsite.Core.Content;

/// <summary>
/// A fetched pack: decrypted whole (streamed, perhaps with damaged chunks); readable chunk by chunk only (it failed authentication as a
/// whole); only some ranges fetched (a partial restore); or unreadable.
/// </summary>
internal sealed class PackData
{
    private readonly string _packId;
    private readonly byte[]? _plaintext;
    private readonly AgeHeaderInfo? _header;
    private readonly byte[]? _stored;
    private readonly IReadOnlyList<PackRanges.Segment>? _segments;
    private readonly long _storedLength;
    private readonly string _problem;
    /// <summary>Age chunks of <see cref="_plaintext"/> that failed authentication (streamed packs), or null.</summary>
    private readonly HashSet<long>? _damagedChunks;

    private PackData(string packId, byte[]? plaintext, AgeHeaderInfo? header, byte[]? stored, IReadOnlyList<PackRanges.Segment>? segments, long storedLength, string problem,
        HashSet<long>? damagedChunks = null)
    {
        _damagedChunks = damagedChunks;
        _packId = packId;
        _plaintext = plaintext;
        _header = header;
        _stored = stored;
        _segments = segments;
        _storedLength = storedLength;
        _problem = problem;
    }

    public static PackData Whole(string id, byte[] plaintext) => new(id, plaintext, null, null, null, 0, "");

    /// <summary>A pack decrypted chunk by chunk as it streamed in; the blobs in <paramref name="damagedChunks"/> are lost.</summary>
    public static PackData Streamed(string id, byte[] plaintext, IReadOnlyCollection<long> damagedChunks, string problem) =>
        new(id, plaintext, null, null, null, 0, problem, damagedChunks.Count == 0 ? null : [.. damagedChunks]);

    public static PackData Chunked(string id, AgeHeaderInfo header, byte[] stored, string problem) =>
        new(id, null, header, stored, null, stored.Length, problem);

    public static PackData Ranged(string id, AgeHeaderInfo header, IReadOnlyList<PackRanges.Segment> segments, long storedLength) =>
        new(id, null, header, null, segments, storedLength, "");

    public static PackData Broken(string id, string problem) => new(id, null, null, null, null, 0, problem);

    /// <summary>
    /// The stored (compressed) bytes of a blob, a slice of the pack's plaintext where it has one; null
    /// when only ranges were fetched and the blob is not in them (the caller then fetches the whole pack).
    /// </summary>
    public ReadOnlyMemory<byte>? Read(PackEntry entry, BlobId id)
    {
        if (_plaintext is not null)
        {
            if (entry.Offset + entry.Length > _plaintext.Length)
            {
                throw new BlobDamagedException(id, _packId, $"blob {id.Short}: index points past the end of pack {_packId[..8]}");
            }
            if (_damagedChunks is not null && entry.Length > 0)
            {
                for (long chunk = entry.Offset / AgeSizes.ChunkSize; chunk <= (entry.Offset + entry.Length - 1) / AgeSizes.ChunkSize; chunk++)
                {
                    if (_damagedChunks.Contains(chunk))
                    {
                        throw new BlobDamagedException(id, _packId, $"blob {id.Short} in pack {_packId[..8]} is damaged ({_problem})");
                    }
                }
            }
            return _plaintext.AsMemory((int)entry.Offset, entry.Length); // the plaintext is never written again
        }
        if (_header is not null)
        {
            lock (_header)
            {
                try
                {
                    var (offset, length) = _header.CipherRange(entry.Offset, entry.Length, _storedLength);
                    ReadOnlySpan<byte> cipher;
                    if (_stored is not null)
                    {
                        cipher = _stored.AsSpan((int)offset, (int)length);
                    }
                    else if (PackRanges.Find(_segments!, offset, length) is { } segment)
                    {
                        cipher = segment.Bytes.AsSpan((int)(offset - segment.CipherOffset), (int)length);
                    }
                    else
                    {
                        return null;
                    }
                    return _header.DecryptRange(entry.Offset, entry.Length, cipher, _storedLength);
                }
                catch (AgeException e)
                {
                    throw new BlobDamagedException(id, _packId, $"blob {id.Short} in pack {_packId[..8]} is damaged ({ObjectCodec.Describe(e.Kind)})", e);
                }
            }
        }
        throw new BlobDamagedException(id, _packId, $"blob {id.Short}: pack {_packId[..8]} {_problem}");
    }
}
