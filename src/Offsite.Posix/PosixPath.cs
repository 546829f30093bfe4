using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Offsite.Posix;

/// <summary>
/// Helpers for paths held as raw bytes (no NUL terminator). Linux names are arbitrary bytes, so
/// paths stay as bytes end to end and are only decoded for humans.
/// </summary>
public static class PosixPath
{
    private const byte Slash = (byte)'/';

    /// <summary>Encodes a .NET string as UTF-8 path bytes.</summary>
    public static byte[] FromString(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Encoding.UTF8.GetBytes(s);
    }

    /// <summary>
    /// Decodes for display: valid UTF-8 as-is, each byte of an invalid sequence as <c>\xNN</c>.
    /// Lossless for humans (distinct invalid names stay distinct) but not meant to be parsed back.
    /// </summary>
    public static string ToDisplay(ReadOnlySpan<byte> p)
    {
        if (Utf8.IsValid(p))
        {
            return Encoding.UTF8.GetString(p);
        }

        var sb = new StringBuilder(p.Length + 16);
        Span<char> chars = stackalloc char[2];
        while (!p.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(p, out Rune rune, out int consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                int n = rune.EncodeToUtf16(chars);
                sb.Append(chars[..n]);
            }
            else
            {
                // consumed is the maximal invalid subsequence (at least one byte); show each byte.
                foreach (byte b in p[..consumed])
                {
                    sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                }
            }
            p = p[consumed..];
        }
        return sb.ToString();
    }

    /// <summary>
    /// Joins a directory and a name with exactly one slash between them. An empty
    /// <paramref name="dir"/> yields just the name (a path relative to the working directory).
    /// </summary>
    public static byte[] Join(ReadOnlySpan<byte> dir, ReadOnlySpan<byte> name)
    {
        if (dir.IsEmpty)
        {
            return name.ToArray();
        }
        bool needSlash = dir[^1] != Slash;
        var result = new byte[dir.Length + (needSlash ? 1 : 0) + name.Length];
        dir.CopyTo(result);
        if (needSlash)
        {
            result[dir.Length] = Slash;
        }
        name.CopyTo(result.AsSpan(result.Length - name.Length));
        return result;
    }
}
