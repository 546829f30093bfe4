using System.Globalization;
using System.Text;

namespace Offsite.Sources.S3;

/// <summary>
/// Object keys as tree paths (docs/sources/s3.md, "Key encoding"). A key relative to the source's
/// prefix is cut at every '/'; each piece but the last names a directory, the last names the file.
/// A piece that is a usable file name and does not start with '%' is kept as it is. Any other piece
/// (empty, <c>.</c>, <c>..</c>, starting with '%', holding control characters, longer than 255
/// bytes), and a file that must be told apart from a directory or another version of it, is
/// written <c>%</c> + body + suffix, where the body is the piece with '%' and control characters
/// as <c>%XX</c> (UTF-8 bytes), and the suffix is one of:
/// <list type="bullet">
/// <item>none: an ordinary escaped name;</item>
/// <item><c>%</c>: an object whose key is also a "directory" prefix (<c>a</c> beside <c>a/b</c>);</item>
/// <item><c>%v</c> + escaped version id: a noncurrent version;</item>
/// <item><c>%+</c>: a directory that only carries the first part of a name too long for one
/// (more than 255 bytes): the name goes on in its one child.</item>
/// </list>
/// The suffixes cannot occur in a body ('%' is always followed by two hex digits there), so every
/// name decodes one way, and no two keys give the same path.
/// </summary>
public static class S3KeyCodec
{
    /// <summary>The longest file name (bytes) on Linux file systems.</summary>
    public const int MaxNameBytes = 255;

    private const string CollisionSuffix = "%";
    private const string VersionMarker = "%v";
    private const string ContinuationSuffix = "%+";

    /// <summary>The pieces of a key below the prefix: <c>a/b</c> → [a, b], <c>a/</c> → [a, ""], <c>/x</c> → ["", x].</summary>
    public static string[] Split(string relativeKey) => relativeKey.Split('/');

    /// <summary>
    /// The tree names of one key piece: one name, or, for a piece too long for one name, directories
    /// ending in <c>%+</c> followed by the last part.
    /// </summary>
    /// <param name="piece">one '/'-separated piece of a key</param>
    /// <param name="collides">a file whose piece is also a directory in the same listing</param>
    /// <param name="versionId">the version id of a noncurrent version, else null</param>
    public static IReadOnlyList<string> Encode(string piece, bool collides = false, string? versionId = null)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (!collides && versionId is null && IsPlain(piece))
        {
            return [piece];
        }
        string body = Escape(piece);
        string suffix = versionId is not null ? VersionMarker + Escape(versionId) : collides ? CollisionSuffix : "";
        int suffixBytes = Utf8Length(suffix);
        if (1 + suffixBytes + 1 > MaxNameBytes)
        {
            throw new FormatException($"version id of {Text(piece)} is too long to be part of a file name");
        }
        var names = new List<string>();
        while (1 + Utf8Length(body) + suffixBytes > MaxNameBytes)
        {
            int cut = CutPoint(body, MaxNameBytes - 1 - ContinuationSuffix.Length);
            names.Add("%" + body[..cut] + ContinuationSuffix);
            body = body[cut..];
        }
        names.Add("%" + body + suffix);
        return names;
    }

    /// <summary>What one tree name stands for.</summary>
    public readonly record struct DecodedName(string Piece, bool Continues, bool Collides, string? VersionId);

    /// <summary>Decodes one tree name; a malformed name (a stray '%', an invalid escape) is a <see cref="FormatException"/>.</summary>
    public static DecodedName Decode(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.StartsWith('%'))
        {
            if (name.Length == 0 || name is "." or "..")
            {
                throw new FormatException($"'{name}' is not a name");
            }
            return new DecodedName(name, false, false, null);
        }
        string rest = name[1..];
        if (rest.EndsWith(ContinuationSuffix, StringComparison.Ordinal))
        {
            return new DecodedName(Unescape(rest[..^ContinuationSuffix.Length], name), true, false, null);
        }
        int version = rest.IndexOf(VersionMarker, StringComparison.Ordinal);
        if (version >= 0)
        {
            string id = Unescape(rest[(version + VersionMarker.Length)..], name);
            if (id.Length == 0) throw new FormatException($"'{name}': empty version id");
            return new DecodedName(Unescape(rest[..version], name), false, false, id);
        }
        // A '%' that ends the body cannot start an escape: it marks an object that is also a prefix.
        if (rest.EndsWith('%'))
        {
            return new DecodedName(Unescape(rest[..^1], name), false, true, null);
        }
        return new DecodedName(Unescape(rest, name), false, false, null);
    }

    /// <summary>
    /// The key (relative to the prefix) of a file at <paramref name="names"/> (its directories' names,
    /// then its own), and its version id when it is a noncurrent version.
    /// </summary>
    public static (string Key, string? VersionId) KeyOf(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0) throw new FormatException("no names");
        var key = new StringBuilder();
        string? versionId = null;
        for (int i = 0; i < names.Count; i++)
        {
            var d = Decode(names[i]);
            bool last = i == names.Count - 1;
            key.Append(d.Piece);
            if (d.Continues)
            {
                if (last) throw new FormatException($"'{names[i]}' continues in a child but is the last name");
                continue;
            }
            if (!last)
            {
                if (d.Collides || d.VersionId is not null)
                {
                    throw new FormatException($"'{names[i]}' names a file, not a directory");
                }
                key.Append('/');
            }
            versionId = d.VersionId;
        }
        return (key.ToString(), versionId);
    }

    /// <summary>A piece kept as it is: a valid, printable file name that cannot be mistaken for an encoded one.</summary>
    public static bool IsPlain(string piece) =>
        piece.Length > 0 && piece is not ("." or "..") && piece[0] != '%'
        && !piece.Any(IsEscaped) && Utf8Length(piece) <= MaxNameBytes;

    private static bool IsEscaped(char c) => c == '%' || char.IsControl(c);

    private static string Escape(string piece)
    {
        if (!piece.Any(IsEscaped))
        {
            return piece;
        }
        var sb = new StringBuilder(piece.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in piece.EnumerateRunes())
        {
            if (rune.IsBmp && IsEscaped((char)rune.Value))
            {
                int n = rune.EncodeToUtf8(utf8);
                for (int i = 0; i < n; i++) sb.Append('%').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }
        return sb.ToString();
    }

    private static string Unescape(string body, string name)
    {
        if (!body.Contains('%', StringComparison.Ordinal))
        {
            return body;
        }
        var bytes = new List<byte>(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c != '%')
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(body.Substring(i, char.IsHighSurrogate(c) && i + 1 < body.Length ? 2 : 1)));
                if (char.IsHighSurrogate(c)) i++;
                continue;
            }
            if (i + 2 >= body.Length || !byte.TryParse(body.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
            {
                throw new FormatException($"'{name}': '%' not followed by two hex digits");
            }
            bytes.Add(b);
            i += 2;
        }
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"'{name}': escapes are not UTF-8", e);
        }
    }

    /// <summary>The longest prefix of <paramref name="body"/> within <paramref name="maxBytes"/> that splits neither a character nor a %XX escape.</summary>
    private static int CutPoint(string body, int maxBytes)
    {
        int bytes = 0, i = 0;
        while (i < body.Length)
        {
            int width = body[i] == '%' ? 3 : char.IsHighSurrogate(body[i]) ? 2 : 1;
            int size = body[i] == '%' ? 3 : Encoding.UTF8.GetByteCount(body.AsSpan(i, width));
            if (bytes + size > maxBytes) break;
            bytes += size;
            i += width;
        }
        return i;
    }

    private static int Utf8Length(string s) => Encoding.UTF8.GetByteCount(s);

    private static string Text(string piece) => piece.Length > 40 ? piece[..40] + "…" : piece;
}
