using System.Text.Json;

namespace Offsite.Core.Serialization;

/// <summary>
/// Small steps for the hand-written readers of the format's documents (config, snapshot, tree, index,
/// pack log). They replace System.Text.Json's serializer on these paths because its metadata is
/// generic over the framework's value types, which ReadyToRun cannot precompile into Offsite's
/// images: its first use JIT-compiled ~470 methods in every command (bench/RESULTS.md, "Small
/// commands"). Each step throws <see cref="FormatException"/> (or the reader's <see cref="JsonException"/>)
/// on a document that does not have the expected shape; the callers turn both into "damaged".
/// Like the serializer, readers skip properties they do not know.
/// </summary>
public static class JsonRead
{
    /// <summary>Moves to the next token; a document that ends early is malformed.</summary>
    public static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new FormatException("truncated document");
        return reader.TokenType;
    }

    public static void Expect(ref Utf8JsonReader reader, JsonTokenType type) =>
        Require(Next(ref reader) == type, type.ToString());

    public static void Require(bool condition, string what)
    {
        if (!condition) throw new FormatException($"unexpected {what}");
    }

    /// <summary>Skips the value of the property the reader is on (one the reader does not know).</summary>
    public static void SkipValue(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        reader.Skip();
    }

    /// <summary>The properties of the object the reader is on: returns false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader)
    {
        var t = Next(ref reader);
        if (t == JsonTokenType.EndObject) return false;
        Require(t == JsonTokenType.PropertyName, "token " + t);
        return true;
    }

    /// <summary>Reads the value as a string; JSON null is not allowed.</summary>
    public static string String(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        Require(reader.TokenType == JsonTokenType.String, field);
        return reader.GetString()!;
    }

    public static string? StringOrNull(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null) return null;
        Require(reader.TokenType == JsonTokenType.String, field);
        return reader.GetString();
    }

    public static byte[]? Base64OrNull(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null) return null;
        Require(reader.TokenType == JsonTokenType.String, field);
        return reader.GetBytesFromBase64();
    }

    public static long Int64(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        Require(reader.TokenType == JsonTokenType.Number, field);
        return reader.GetInt64();
    }

    public static int Int32(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        Require(reader.TokenType == JsonTokenType.Number, field);
        return reader.GetInt32();
    }

    public static uint UInt32(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        Require(reader.TokenType == JsonTokenType.Number, field);
        return reader.GetUInt32();
    }

    public static ulong? UInt64OrNull(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null) return null;
        Require(reader.TokenType == JsonTokenType.Number, field);
        return reader.GetUInt64();
    }

    public static int? Int32OrNull(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null) return null;
        Require(reader.TokenType == JsonTokenType.Number, field);
        return reader.GetInt32();
    }

    public static double Double(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        Require(reader.TokenType == JsonTokenType.Number, field);
        return reader.GetDouble();
    }

    public static bool? BooleanOrNull(ref Utf8JsonReader reader, string field)
    {
        return Next(ref reader) switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Null => null,
            _ => throw new FormatException($"unexpected {field}"),
        };
    }

    public static DateTimeOffset DateTimeOffset(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        Require(reader.TokenType == JsonTokenType.String, field);
        return reader.GetDateTimeOffset();
    }

    /// <summary>An array of strings; JSON null gives null.</summary>
    public static List<string>? StringListOrNull(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null) return null;
        Require(reader.TokenType == JsonTokenType.StartArray, field);
        var list = new List<string>();
        while (Next(ref reader) == JsonTokenType.String)
        {
            list.Add(reader.GetString()!);
        }
        Require(reader.TokenType == JsonTokenType.EndArray, field);
        return list;
    }

    /// <summary>Moves onto the start of an object value; returns false for JSON null.</summary>
    public static bool StartObjectOrNull(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null) return false;
        Require(reader.TokenType == JsonTokenType.StartObject, field);
        return true;
    }

    /// <summary>After the top-level value: only whitespace may follow (the reader checks that on its last read).</summary>
    public static void End(ref Utf8JsonReader reader)
    {
        Require(!reader.Read(), "data after the document");
    }
}

/// <summary>The writing counterpart: a document written by <paramref name="write"/> as bytes.</summary>
public static class JsonWrite
{
    public static byte[] ToArray(int capacity, Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(capacity);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
