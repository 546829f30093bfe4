using System.Text.Json;
using Offsite.Core.Serialization;

namespace Offsite.Core.Snapshots;

/// <summary>
/// A snapshot object's JSON (docs/format.md, "Snapshots"), written and read by hand for the reason
/// <see cref="JsonRead"/> gives; the bytes are those the source-generated serializer wrote before.
/// </summary>
public static class SnapshotJson
{
    public static byte[] Write(Snapshot s)
    {
        return JsonWrite.ToArray(1024, w =>
        {
            w.WriteStartObject();
            w.WriteString("time"u8, s.Time);
            w.WriteString("host"u8, s.Host);
            if (s.Username is not null) w.WriteString("username"u8, s.Username);
            w.WriteString("source"u8, s.Source);
            WriteStrings(w, "paths"u8, s.Paths);
            WriteStrings(w, "tags"u8, s.Tags);
            w.WriteString("tree"u8, s.Tree);
            w.WriteString("program"u8, s.Program);
            w.WriteStartObject("stats"u8);
            var t = s.Stats;
            w.WriteNumber("files"u8, t.Files);
            w.WriteNumber("dirs"u8, t.Directories);
            w.WriteNumber("bytes"u8, t.Bytes);
            w.WriteNumber("newBlobs"u8, t.NewBlobs);
            w.WriteNumber("addedBytes"u8, t.AddedBytes);
            w.WriteNumber("addedStoredBytes"u8, t.AddedStoredBytes);
            w.WriteNumber("durationSeconds"u8, t.DurationSeconds);
            w.WriteNumber("unreadable"u8, t.Unreadable);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <exception cref="FormatException">or <see cref="JsonException"/>, <see cref="InvalidOperationException"/>: malformed</exception>
    public static Snapshot Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var s = new Snapshot();
        JsonRead.Expect(ref reader, JsonTokenType.StartObject);
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("time"u8)) s.Time = JsonRead.DateTimeOffset(ref reader, "time");
            else if (reader.ValueTextEquals("host"u8)) s.Host = JsonRead.String(ref reader, "host");
            else if (reader.ValueTextEquals("username"u8)) s.Username = JsonRead.StringOrNull(ref reader, "username");
            else if (reader.ValueTextEquals("source"u8)) s.Source = JsonRead.String(ref reader, "source");
            else if (reader.ValueTextEquals("paths"u8)) s.Paths = JsonRead.StringListOrNull(ref reader, "paths") ?? [];
            else if (reader.ValueTextEquals("tags"u8)) s.Tags = JsonRead.StringListOrNull(ref reader, "tags") ?? [];
            else if (reader.ValueTextEquals("tree"u8)) s.Tree = JsonRead.String(ref reader, "tree");
            else if (reader.ValueTextEquals("program"u8)) s.Program = JsonRead.String(ref reader, "program");
            else if (reader.ValueTextEquals("stats"u8)) s.Stats = ReadStats(ref reader);
            else JsonRead.SkipValue(ref reader);
        }
        JsonRead.End(ref reader);
        return s;
    }

    private static SnapshotStats ReadStats(ref Utf8JsonReader reader)
    {
        var t = new SnapshotStats();
        if (!JsonRead.StartObjectOrNull(ref reader, "stats"))
        {
            return t;
        }
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("files"u8)) t.Files = JsonRead.Int64(ref reader, "files");
            else if (reader.ValueTextEquals("dirs"u8)) t.Directories = JsonRead.Int64(ref reader, "dirs");
            else if (reader.ValueTextEquals("bytes"u8)) t.Bytes = JsonRead.Int64(ref reader, "bytes");
            else if (reader.ValueTextEquals("newBlobs"u8)) t.NewBlobs = JsonRead.Int64(ref reader, "newBlobs");
            else if (reader.ValueTextEquals("addedBytes"u8)) t.AddedBytes = JsonRead.Int64(ref reader, "addedBytes");
            else if (reader.ValueTextEquals("addedStoredBytes"u8)) t.AddedStoredBytes = JsonRead.Int64(ref reader, "addedStoredBytes");
            else if (reader.ValueTextEquals("durationSeconds"u8)) t.DurationSeconds = JsonRead.Double(ref reader, "durationSeconds");
            else if (reader.ValueTextEquals("unreadable"u8)) t.Unreadable = JsonRead.Int64(ref reader, "unreadable");
            else JsonRead.SkipValue(ref reader);
        }
        return t;
    }

    private static void WriteStrings(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
    }
}
