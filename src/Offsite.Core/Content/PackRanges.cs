using Offsite.Crypto.Age;

namespace Offsite.Core.Content;

/// <summary>
/// Which parts of a pack to fetch when only some of its blobs are needed. A blob can be decrypted
/// from the age STREAM chunks (64 KiB of plaintext each) it spans, so a partial restore needs the
/// header and those chunks, not the whole pack. Runs of needed chunks closer than
/// <see cref="MergeGapChunks"/> are fetched as one range: a request costs more than 64 KiB.
/// </summary>
internal static class PackRanges
{
    /// <summary>Fetch ranges only when they add up to less than this share of the pack.</summary>
    public const double MaxShare = 0.5;

    /// <summary>Prefix fetched to read the header (one X25519 stanza is ~250 bytes).</summary>
    public const int HeaderPrefix = 4096;

    private const int MergeGapChunks = 2;

    /// <summary>Fetched ciphertext, starting at <see cref="CipherOffset"/> in the pack object.</summary>
    public sealed record Segment(long CipherOffset, byte[] Bytes);

    /// <summary>Runs of plaintext [offset, length) covering every chunk the entries touch, in order.</summary>
    public static List<(long Offset, long Length)> PlaintextRuns(IEnumerable<PackEntry> entries)
    {
        var chunks = new SortedSet<long>();
        foreach (var e in entries)
        {
            long first = e.Offset / AgeSizes.ChunkSize;
            long last = (e.Offset + Math.Max(e.Length, 1) - 1) / AgeSizes.ChunkSize;
            for (long c = first; c <= last; c++)
            {
                chunks.Add(c);
            }
        }
        var runs = new List<(long First, long Last)>();
        foreach (long c in chunks)
        {
            if (runs.Count > 0 && c - runs[^1].Last <= MergeGapChunks)
            {
                runs[^1] = (runs[^1].First, c);
            }
            else
            {
                runs.Add((c, c));
            }
        }
        return runs.Select(r => (r.First * AgeSizes.ChunkSize, (r.Last - r.First + 1) * AgeSizes.ChunkSize)).ToList();
    }

    /// <summary>True when fetching <paramref name="runs"/> moves well under the whole pack's bytes.</summary>
    public static bool Worthwhile(IReadOnlyList<(long Offset, long Length)> runs, long storedLength) =>
        runs.Sum(r => r.Length) + HeaderPrefix < storedLength * MaxShare;

    /// <summary>The segment holding cipher bytes [offset, offset + length), or null.</summary>
    public static Segment? Find(IReadOnlyList<Segment> segments, long offset, long length)
    {
        foreach (var s in segments)
        {
            if (offset >= s.CipherOffset && offset + length <= s.CipherOffset + s.Bytes.Length)
            {
                return s;
            }
        }
        return null;
    }
}
