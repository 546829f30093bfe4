using System.Buffers;
using System.Text.Json;
using Offsite.Codecs.Compression;
using Offsite.Core.Errors;
using Offsite.Core.Serialization;
using static Offsite.Core.Serialization.JsonRead;

namespace Offsite.Core.Content;

/// <summary>
/// Index plaintext = zstd frame of the JSON document (docs/format.md, "Index"). The pack paths
/// (<see cref="SerializePacks"/>, <see cref="ParsePacks"/>) go between the JSON and
/// <see cref="PackInfo"/> directly: no object and no hex string per blob on the way, which would
/// cost several times the index's own size in memory while a backup loads or writes it.
/// </summary>
public static class IndexCodec
{
    /// <summary>One writer for the format: the document's packs through <see cref="SerializePacks"/>.</summary>
    public static byte[] Serialize(IndexFile index) =>
        SerializePacks(index.Packs.Select(PackInfo.FromIndexPack).ToList());

    public static IndexFile Parse(ReadOnlySpan<byte> plaintext, string what) =>
        new() { Packs = ParsePacks(plaintext, what).Select(p => p.ToIndexPack()).ToList() };

    /// <summary>The same document as <see cref="Serialize"/> of these packs, compressed, in memory.</summary>
    public static byte[] SerializePacks(IReadOnlyList<PackInfo> packs)
    {
        var buffer = new MemoryStream();
        WritePacks(packs, buffer);
        return buffer.ToArray();
    }

    /// <summary>
    /// Writes the compressed document to <paramref name="destination"/> (left open) as it is encoded: an
    /// index object of 50,000 blobs is ~8 MB of JSON, and building it in memory, compressed and sealed,
    /// was the largest allocation of a backup of small files (docs/design.md, "Memory").
    /// </summary>
    public static void WritePacks(IReadOnlyList<PackInfo> packs, Stream destination)
    {
        using var compressed = new ZstdCompressStream(destination, leaveOpen: true);
        using var w = new Utf8JsonWriter(compressed);
        w.WriteStartObject();
        w.WriteNumber("version"u8, 1);
        w.WriteStartArray("packs"u8);
        foreach (var p in packs)
        {
            WritePack(w, p);
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    private const int FlushThreshold = 64 * 1024;

    /// <summary>
    /// One pack as an object of the index document's "packs" array (the pack log's lines hold the same),
    /// flushing <paramref name="w"/> as it goes when it writes to a stream.
    /// </summary>
    public static void WritePack(Utf8JsonWriter w, PackInfo p)
    {
        Span<byte> id = stackalloc byte[BlobId.Size];
        Span<char> hex = stackalloc char[BlobId.Size * 2];
        w.WriteStartObject();
        w.WriteString("id"u8, p.Id);
        w.WriteString("created"u8, p.Created);
        w.WriteNumber("size"u8, p.Size);
        w.WriteStartArray("blobs"u8);
        foreach (var e in p.Entries)
        {
            w.WriteStartObject();
            e.Id.WriteTo(id);
            Convert.TryToHexStringLower(id, hex, out _);
            w.WriteString("id"u8, hex);
            w.WriteString("type"u8, e.Type == BlobType.Tree ? "tree"u8 : "data"u8);
            w.WriteString("compression"u8, e.Compression == BlobCompression.Zstd ? "zstd"u8 : "none"u8);
            w.WriteNumber("offset"u8, e.Offset);
            w.WriteNumber("length"u8, e.Length);
            w.WriteNumber("rawLength"u8, e.RawLength);
            w.WriteEndObject();
            if (w.BytesPending >= FlushThreshold)
            {
                // Utf8JsonWriter buffers until flushed: keep its buffer small.
                w.Flush();
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The packs of an index document, as <see cref="Parse"/> reads it. Unknown properties are skipped.</summary>
    public static List<PackInfo> ParsePacks(ReadOnlySpan<byte> plaintext, string what)
    {
        var packs = new List<PackInfo>();
        ReadPacks(plaintext, what, scratch: null, packs.Add);
        return packs;
    }

    /// <summary>
    /// <see cref="ParsePacks"/> for a reader that is done with each pack when <paramref name="visit"/> returns
    /// (the index load: the master index copies the table to disk). The entries are one list reused for every
    /// pack, valid only during the call: a pack of 27,000 small blobs grew a new list through six arrays
    /// (~5 MB of large objects) and trimmed it into a seventh.
    /// </summary>
    public static void VisitPacks(ReadOnlySpan<byte> plaintext, string what, Action<PackInfo> visit) =>
        ReadPacks(plaintext, what, new List<PackEntry>(), visit);

    private static void ReadPacks(ReadOnlySpan<byte> plaintext, string what, List<PackEntry>? scratch, Action<PackInfo> visit)
    {
        try
        {
            // Index JSON is 3-5 times its zstd frame (hex ids compress about 2:1); a guess of 6 times
            // decodes most documents without growing the buffer.
            var reader = new Utf8JsonReader(Zstd.DecompressLarge(plaintext, (int)Math.Min(int.MaxValue, 6L * plaintext.Length)));
            Expect(ref reader, JsonTokenType.StartObject);
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("packs"u8))
                {
                    Expect(ref reader, JsonTokenType.StartArray);
                    while (Next(ref reader) == JsonTokenType.StartObject)
                    {
                        visit(ReadPack(ref reader, scratch));
                    }
                    Require(reader.TokenType == JsonTokenType.EndArray, "packs");
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or FormatException or InvalidOperationException)
        {
            throw Damaged(what, e);
        }
    }

    /// <summary>One pack object (the reader is on its StartObject), as <see cref="WritePack"/> writes it.</summary>
    /// <exception cref="FormatException">or <see cref="JsonException"/>, <see cref="InvalidOperationException"/>: malformed</exception>
    /// <param name="scratch">a list to fill (cleared first) instead of a new one; the pack's entries are then that list</param>
    public static PackInfo ReadPack(ref Utf8JsonReader reader, List<PackEntry>? scratch = null)
    {
        Require(reader.TokenType == JsonTokenType.StartObject, "pack");
        string? id = null;
        DateTimeOffset created = default;
        long size = 0;
        scratch?.Clear();
        var entries = scratch ?? new List<PackEntry>();
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8)) { reader.Read(); id = reader.GetString(); }
            else if (reader.ValueTextEquals("created"u8)) { reader.Read(); created = reader.GetDateTimeOffset(); }
            else if (reader.ValueTextEquals("size"u8)) { reader.Read(); size = reader.GetInt64(); }
            else if (reader.ValueTextEquals("blobs"u8))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                while (Next(ref reader) == JsonTokenType.StartObject)
                {
                    entries.Add(ReadBlob(ref reader));
                }
                Require(reader.TokenType == JsonTokenType.EndArray, "blobs");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        Require(id is not null, "pack id");
        if (scratch is null)
        {
            entries.TrimExcess();
        }
        return new PackInfo(id!, created, size, entries);
    }

    private static PackEntry ReadBlob(ref Utf8JsonReader reader)
    {
        BlobId? id = null;
        var type = BlobType.Data;
        var compression = BlobCompression.None;
        long offset = 0;
        int length = 0, rawLength = 0;
        Span<byte> bytes = stackalloc byte[BlobId.Size];
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                Require(reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.Length == BlobId.Size * 2, "blob id");
                Require(Convert.FromHexString(reader.ValueSpan, bytes, out _, out int written) == OperationStatus.Done && written == BlobId.Size, "blob id");
                id = new BlobId(bytes);
            }
            else if (reader.ValueTextEquals("type"u8)) { reader.Read(); type = ReadEnum(ref reader, "data"u8, BlobType.Data, "tree"u8, BlobType.Tree); }
            else if (reader.ValueTextEquals("compression"u8)) { reader.Read(); compression = ReadEnum(ref reader, "none"u8, BlobCompression.None, "zstd"u8, BlobCompression.Zstd); }
            else if (reader.ValueTextEquals("offset"u8)) { reader.Read(); offset = reader.GetInt64(); }
            else if (reader.ValueTextEquals("length"u8)) { reader.Read(); length = reader.GetInt32(); }
            else if (reader.ValueTextEquals("rawLength"u8)) { reader.Read(); rawLength = reader.GetInt32(); }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        Require(id is not null, "blob id");
        return new PackEntry(id!.Value, type, compression, offset, length, rawLength);
    }

    /// <summary>A two-valued enum as its name or (as the serializer also accepts) its number.</summary>
    private static T ReadEnum<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> name0, T value0, ReadOnlySpan<byte> name1, T value1) where T : struct, Enum
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            int n = reader.GetInt32();
            Require(n is 0 or 1, "enum value");
            return n == 0 ? value0 : value1;
        }
        if (reader.ValueTextEquals(name0)) return value0;
        if (reader.ValueTextEquals(name1)) return value1;
        throw new FormatException($"unknown value '{reader.GetString()}'");
    }

    private static OffsiteException Damaged(string what, Exception e) =>
        new(ErrorKind.RepositoryDamaged, $"{what}: index is damaged ({e.Message})", e);
}
