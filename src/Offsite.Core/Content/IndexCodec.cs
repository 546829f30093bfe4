using System.Text.Json;
using Offsite.Codecs.Compression;
using Offsite.Core.Errors;
using Offsite.Core.Serialization;

namespace Offsite.Core.Content;

/// <summary>Index plaintext = zstd frame of the JSON document (docs/format.md, "Index").</summary>
public static class IndexCodec
{
    public static byte[] Serialize(IndexFile index) =>
        Zstd.Compress(JsonSerializer.SerializeToUtf8Bytes(index, OffsiteJsonContext.Default.IndexFile));

    public static IndexFile Parse(ReadOnlySpan<byte> plaintext, string what)
    {
        try
        {
            byte[] json = Zstd.Decompress(plaintext);
            return JsonSerializer.Deserialize(json, OffsiteJsonContext.Default.IndexFile)
                ?? throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{what}: empty index");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or FormatException)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{what}: index is damaged ({e.Message})", e);
        }
    }
}
