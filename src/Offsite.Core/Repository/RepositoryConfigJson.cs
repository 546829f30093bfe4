using System.Globalization;
using System.Text.Json;
using Offsite.Core.Serialization;

namespace Offsite.Core.Repository;

/// <summary>
/// The config's JSON (docs/format.md, "Config"), written and read by hand for the reason
/// <see cref="JsonRead"/> gives. Its bytes are those the source-generated serializer wrote before, and
/// <see cref="ConfigAuthentication"/>'s MAC covers <see cref="Write"/> without the <c>mac</c> field, so
/// the writer must never change them for an existing config: tests hold it to the old output. Two
/// quirks of that output are kept on purpose (docs/format.md, "Config authentication"): a lifecycle
/// retention carries four derived durations, and the MAC's input escapes <c>+</c> in <c>created</c>.
/// </summary>
public static class RepositoryConfigJson
{
    /// <param name="canonical">the MAC's input: no <c>mac</c>, and <c>created</c> escaped as a string value</param>
    public static byte[] Write(RepositoryConfig c, bool canonical = false)
    {
        return JsonWrite.ToArray(512, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("version"u8, c.Version);
            w.WriteString("id"u8, c.Id);
            if (canonical)
            {
                // The MAC was first computed over the serializer's document re-written through JsonNode,
                // which escaped the date's '+' like any other string value.
                w.WriteString("created"u8, FormattedDate(c.Created));
            }
            else
            {
                w.WriteString("created"u8, c.Created);
            }
            w.WriteString("recipient"u8, c.Recipient);
            w.WriteString("encryption"u8, c.Encryption);
            w.WriteString("blobId"u8, c.BlobId);
            w.WriteString("compression"u8, c.Compression);
            w.WriteNumber("compressionLevel"u8, c.CompressionLevel);
            w.WriteStartObject("chunker"u8);
            w.WriteString("algorithm"u8, c.Chunker.Algorithm);
            w.WriteNumber("min"u8, c.Chunker.Min);
            w.WriteNumber("avg"u8, c.Chunker.Average);
            w.WriteNumber("max"u8, c.Chunker.Max);
            w.WriteEndObject();
            w.WriteNumber("packSize"u8, c.PackSize);
            if (c.Retention is { } r)
            {
                w.WriteStartObject("retention"u8);
                w.WriteString("mode"u8, r.Mode);
                w.WriteNumber("expireDays"u8, r.ExpireDays);
                w.WriteNumber("refreshDays"u8, r.RefreshDays);
                w.WriteNumber("daySeconds"u8, r.DaySeconds);
                // Derived, ignored by readers; the serializer wrote them and the MAC covers them.
                w.WriteString("day"u8, r.Day.ToString("c", CultureInfo.InvariantCulture));
                w.WriteString("refreshHorizon"u8, r.RefreshHorizon.ToString("c", CultureInfo.InvariantCulture));
                w.WriteString("expiry"u8, r.Expiry.ToString("c", CultureInfo.InvariantCulture));
                w.WriteString("snapshotValidity"u8, r.SnapshotValidity.ToString("c", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }
            if (!canonical && c.Mac is not null) w.WriteString("mac"u8, c.Mac);
            w.WriteEndObject();
        });
    }

    /// <summary>The date as the JSON writer formats it (ISO 8601, trailing zeros of the fraction trimmed), unquoted.</summary>
    private static byte[] FormattedDate(DateTimeOffset value) => JsonWrite.ToArray(40, w => w.WriteStringValue(value))[1..^1];

    /// <exception cref="FormatException">or <see cref="JsonException"/>, <see cref="InvalidOperationException"/>: malformed</exception>
    public static RepositoryConfig Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var c = new RepositoryConfig();
        JsonRead.Expect(ref reader, JsonTokenType.StartObject);
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("version"u8)) c.Version = JsonRead.Int32(ref reader, "version");
            else if (reader.ValueTextEquals("id"u8)) c.Id = JsonRead.String(ref reader, "id");
            else if (reader.ValueTextEquals("created"u8)) c.Created = JsonRead.DateTimeOffset(ref reader, "created");
            else if (reader.ValueTextEquals("recipient"u8)) c.Recipient = JsonRead.String(ref reader, "recipient");
            else if (reader.ValueTextEquals("encryption"u8)) c.Encryption = JsonRead.String(ref reader, "encryption");
            else if (reader.ValueTextEquals("blobId"u8)) c.BlobId = JsonRead.String(ref reader, "blobId");
            else if (reader.ValueTextEquals("compression"u8)) c.Compression = JsonRead.String(ref reader, "compression");
            else if (reader.ValueTextEquals("compressionLevel"u8)) c.CompressionLevel = JsonRead.Int32(ref reader, "compressionLevel");
            else if (reader.ValueTextEquals("chunker"u8)) c.Chunker = ReadChunker(ref reader);
            else if (reader.ValueTextEquals("packSize"u8)) c.PackSize = JsonRead.Int32(ref reader, "packSize");
            else if (reader.ValueTextEquals("retention"u8)) c.Retention = ReadRetention(ref reader);
            else if (reader.ValueTextEquals("mac"u8)) c.Mac = JsonRead.StringOrNull(ref reader, "mac");
            else JsonRead.SkipValue(ref reader);
        }
        JsonRead.End(ref reader);
        return c;
    }

    private static ChunkerConfig ReadChunker(ref Utf8JsonReader reader)
    {
        JsonRead.Expect(ref reader, JsonTokenType.StartObject);
        var c = new ChunkerConfig();
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("algorithm"u8)) c.Algorithm = JsonRead.String(ref reader, "chunker algorithm");
            else if (reader.ValueTextEquals("min"u8)) c.Min = JsonRead.Int32(ref reader, "chunker min");
            else if (reader.ValueTextEquals("avg"u8)) c.Average = JsonRead.Int32(ref reader, "chunker avg");
            else if (reader.ValueTextEquals("max"u8)) c.Max = JsonRead.Int32(ref reader, "chunker max");
            else JsonRead.SkipValue(ref reader);
        }
        return c;
    }

    private static RetentionConfig? ReadRetention(ref Utf8JsonReader reader)
    {
        if (!JsonRead.StartObjectOrNull(ref reader, "retention"))
        {
            return null;
        }
        var r = new RetentionConfig();
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("mode"u8)) r.Mode = JsonRead.String(ref reader, "retention mode");
            else if (reader.ValueTextEquals("expireDays"u8)) r.ExpireDays = JsonRead.Int32(ref reader, "expireDays");
            else if (reader.ValueTextEquals("refreshDays"u8)) r.RefreshDays = JsonRead.Int32(ref reader, "refreshDays");
            else if (reader.ValueTextEquals("daySeconds"u8)) r.DaySeconds = JsonRead.Int32(ref reader, "daySeconds");
            else JsonRead.SkipValue(ref reader);
        }
        return r;
    }
}
