using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Offsite.Crypto.Age;

/// <summary>A syntactically valid header; the MAC is not verified yet (that needs the file key).</summary>
internal sealed class ParsedHeader
{
    public required IReadOnlyList<Stanza> Stanzas { get; init; }

    /// <summary>The 32-byte MAC from the "---" line.</summary>
    public required byte[] Mac { get; init; }

    /// <summary>Number of header bytes covered by the MAC: everything up to and including "---".</summary>
    public required int MacInputLength { get; init; }

    /// <summary>Total header length including the final newline; the payload nonce starts here.</summary>
    public required int Length { get; init; }
}

/// <summary>
/// Text format of the age v1 header. Parsing is as strict as the Go reference: exactly one spelling is
/// accepted for every header (LF only, canonical unpadded base64, 64-column body lines ending in a short
/// line), because the MAC is computed over these bytes and anything lenient would make headers malleable.
/// </summary>
internal static class AgeHeader
{
    private const int ColumnsPerLine = 64;
    private const int BytesPerLine = ColumnsPerLine / 4 * 3;
    public const int MacSize = 32;

    private static ReadOnlySpan<byte> Intro => "age-encryption.org/v1\n"u8;
    private static ReadOnlySpan<byte> ArmorBegin => "-----BEGIN AGE ENCRYPTED FILE-----"u8;

    /// <summary>Serializes stanzas into a complete header, including the "--- MAC" line.</summary>
    public static byte[] Serialize(IReadOnlyList<Stanza> stanzas, ReadOnlySpan<byte> fileKey)
    {
        var sb = new StringBuilder();
        sb.Append(Encoding.ASCII.GetString(Intro));
        foreach (Stanza s in stanzas)
        {
            sb.Append("-> ").Append(s.Type);
            foreach (string arg in s.Args)
            {
                sb.Append(' ').Append(arg);
            }
            sb.Append('\n');
            string body = RawBase64.Encode(s.Body);
            int i = 0;
            // Full 64-column lines, then always a short (possibly empty) line that terminates the body.
            for (; body.Length - i >= ColumnsPerLine; i += ColumnsPerLine)
            {
                sb.Append(body, i, ColumnsPerLine).Append('\n');
            }
            sb.Append(body, i, body.Length - i).Append('\n');
        }
        sb.Append("---");
        byte[] macInput = Encoding.ASCII.GetBytes(sb.ToString());

        Span<byte> mac = stackalloc byte[MacSize];
        ComputeMac(fileKey, macInput, mac);
        sb.Append(' ').Append(RawBase64.Encode(mac)).Append('\n');
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>HMAC-SHA-256 under HKDF(file key, "header") over the header up to and including "---".</summary>
    public static void ComputeMac(ReadOnlySpan<byte> fileKey, ReadOnlySpan<byte> macInput, Span<byte> mac)
    {
        Span<byte> key = stackalloc byte[AgeKeys.KeySize];
        try
        {
            AgeKeys.HeaderMacKey(fileKey, key);
            HMACSHA256.HashData(key, macInput, mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Parses the header at the start of <paramref name="data"/>. Returns null when the header continues
    /// past the end of <paramref name="data"/> and <paramref name="isComplete"/> is false (more input may
    /// follow); throws <see cref="AgeException"/> (HeaderFailure) when malformed or incomplete at true EOF.
    /// </summary>
    public static ParsedHeader? TryParse(ReadOnlySpan<byte> data, bool isComplete)
    {
        int pos = 0;
        if (!TryReadLine(data, ref pos, out ReadOnlySpan<byte> intro))
        {
            CheckIntroPrefix(data);
            return NeedMore(isComplete);
        }
        if (!data[..pos].SequenceEqual(Intro))
        {
            CheckIntroPrefix(data);
            throw AgeException.Header($"Unexpected intro line (not an age v1 file): \"{Printable(intro)}\".");
        }

        var stanzas = new List<Stanza>();
        while (true)
        {
            int lineStart = pos;
            if (!TryReadLine(data, ref pos, out ReadOnlySpan<byte> line))
            {
                return NeedMore(isComplete);
            }
            if (line.StartsWith("---"u8))
            {
                byte[] mac = ParseFooter(line);
                return new ParsedHeader { Stanzas = stanzas, Mac = mac, MacInputLength = lineStart + 3, Length = pos };
            }
            if (!line.StartsWith("->"u8))
            {
                throw AgeException.Header($"Unexpected header line: \"{Printable(line)}\".");
            }
            string[] args = SplitStanzaLine(line);
            if (!TryReadBody(data, ref pos, out byte[]? body))
            {
                return NeedMore(isComplete);
            }
            stanzas.Add(new Stanza(args[0], args[1..], body));
        }
    }

    private static ParsedHeader? NeedMore(bool isComplete) =>
        isComplete ? throw AgeException.Header("The file ends inside the header.") : null;

    /// <summary>Fails fast on input that can never become an age header, instead of waiting for more data.</summary>
    private static void CheckIntroPrefix(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> trimmed = data.TrimStart(" \t\r\n"u8);
        if (trimmed.StartsWith(ArmorBegin))
        {
            throw new AgeException(AgeErrorKind.Unsupported, "ASCII-armored age files are not supported; de-armor first.");
        }
        if (ArmorBegin.StartsWith(trimmed))
        {
            // Could still turn out to be armor; let the caller wait for more data (or fail at EOF).
            return;
        }
        int m = Math.Min(data.Length, Intro.Length);
        if (!data[..m].SequenceEqual(Intro[..m]))
        {
            throw AgeException.Header("Not an age v1 file: unexpected intro.");
        }
    }

    private static bool TryReadLine(ReadOnlySpan<byte> data, ref int pos, out ReadOnlySpan<byte> line)
    {
        int nl = data[pos..].IndexOf((byte)'\n');
        if (nl < 0)
        {
            line = default;
            return false;
        }
        line = data.Slice(pos, nl);
        pos += nl + 1;
        return true;
    }

    private static byte[] ParseFooter(ReadOnlySpan<byte> line)
    {
        // Exactly "--- " + canonical base64 of 32 bytes; no extra spaces or arguments.
        if (line.Length < 4 || line[3] != (byte)' ')
        {
            throw AgeException.Header("Malformed closing line of the header.");
        }
        ReadOnlySpan<byte> encoded = line[4..];
        byte[]? mac = encoded.Contains((byte)' ') ? null : RawBase64.Decode(encoded);
        if (mac is null || mac.Length != MacSize)
        {
            throw AgeException.Header("Malformed header MAC.");
        }
        return mac;
    }

    /// <summary>Splits "-> type args…" into [type, args…]; every part must be non-empty printable ASCII.</summary>
    private static string[] SplitStanzaLine(ReadOnlySpan<byte> line)
    {
        if (line.Length < 3 || line[2] != (byte)' ')
        {
            throw AgeException.Header("Malformed stanza line: expected \"-> \" and a type.");
        }
        foreach (byte b in line[3..])
        {
            // Spaces separate arguments; anything else outside '!'..'~' (including CR) is invalid.
            if (b != (byte)' ' && (b < 33 || b > 126))
            {
                throw AgeException.Header("Malformed stanza line: invalid character.");
            }
        }
        string[] parts = Encoding.ASCII.GetString(line[3..]).Split(' ');
        if (parts.Any(p => p.Length == 0))
        {
            throw AgeException.Header("Malformed stanza line: empty argument.");
        }
        return parts;
    }

    /// <summary>Reads body lines until a short one; false if the data ends first.</summary>
    private static bool TryReadBody(ReadOnlySpan<byte> data, ref int pos, [NotNullWhen(true)] out byte[]? body)
    {
        using var buffer = new MemoryStream();
        while (true)
        {
            if (!TryReadLine(data, ref pos, out ReadOnlySpan<byte> line))
            {
                body = null;
                return false;
            }
            byte[]? decoded = RawBase64.Decode(line);
            if (decoded is null)
            {
                throw AgeException.Header("Malformed stanza body: invalid base64.");
            }
            if (decoded.Length > BytesPerLine)
            {
                throw AgeException.Header("Malformed stanza body: line longer than 64 columns.");
            }
            buffer.Write(decoded);
            if (decoded.Length < BytesPerLine)
            {
                body = buffer.ToArray();
                return true;
            }
        }
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (byte b in bytes[..Math.Min(bytes.Length, 80)])
        {
            sb.Append(b is >= 32 and < 127 ? (char)b : '?');
        }
        return sb.ToString();
    }
}
