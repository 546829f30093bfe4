using System.Security.Cryptography;
using Offsite.Codecs.Chunking;

namespace Offsite.Codecs.Tests.Support;

internal static class Chunks
{
    /// <summary>Small parameters so tests see many boundaries in a few MiB.</summary>
    public static readonly ChunkerParameters Small = new(MinSize: 2 * 1024, AverageSize: 8 * 1024, MaxSize: 32 * 1024);

    public static Chunker Create(byte seedFill = 1, ChunkerParameters? parameters = null) =>
        new(new GearTable(TestData.Seed(seedFill)), parameters ?? ChunkerParameters.Default);

    /// <summary>Chunk lengths in order (chunks themselves are only valid until the next call, so they are not kept).</summary>
    public static List<int> Lengths(Chunker chunker, Stream source)
    {
        var lengths = new List<int>();
        using ChunkReader reader = chunker.Open(source);
        for (ReadOnlyMemory<byte> chunk = reader.Next(); !chunk.IsEmpty; chunk = reader.Next())
        {
            lengths.Add(chunk.Length);
        }

        return lengths;
    }

    public static List<int> Lengths(Chunker chunker, byte[] data) => Lengths(chunker, new MemoryStream(data));

    /// <summary>Chunk ids (SHA-256) mapped to chunk lengths, as a deduplicating store would see them.</summary>
    public static Dictionary<string, int> Ids(Chunker chunker, byte[] data)
    {
        var ids = new Dictionary<string, int>();
        using ChunkReader reader = chunker.Open(new MemoryStream(data));
        for (ReadOnlyMemory<byte> chunk = reader.Next(); !chunk.IsEmpty; chunk = reader.Next())
        {
            ids[Convert.ToHexString(SHA256.HashData(chunk.Span))] = chunk.Length;
        }

        return ids;
    }
}
