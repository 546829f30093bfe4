using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace Offsite.Sources.Postgres;

/// <summary>
/// The server and pg_dump versions a dump records about itself, read from its first bytes: a custom
/// archive's header (PGDMP, archive version, int and offset sizes, format, compression, creation
/// time, database name, server version, pg_dump version), or a plain dump's
/// "-- Dumped from database version" / "-- Dumped by pg_dump version" comments. Reading them there
/// costs nothing, where asking would start two more programs and a connection per database.
/// </summary>
public static partial class PgDumpHeader
{
    /// <summary>Enough for any header: three short strings after a few dozen bytes of fields.</summary>
    public const int Length = 4096;

    public static (string? Server, string? Dumper) Parse(ReadOnlySpan<byte> head) =>
        head.StartsWith(PgDumpFormats.CustomMagic) ? ParseCustom(head) : ParsePlain(head);

    /// <summary>The major version in a version string ("15.18 (Debian …)" → 15, "9.6.24" → 9).</summary>
    public static int? Major(string? version) =>
        version is not null && LeadingNumber().Match(version) is { Success: true } m && int.TryParse(m.Value, out int major) ? major : null;

    private static (string?, string?) ParseCustom(ReadOnlySpan<byte> head)
    {
        var r = new Reader(head[PgDumpFormats.CustomMagic.Length..]);
        if (!r.TryByte(out byte major) || !r.TryByte(out byte minor) || !r.TryByte(out _)
            || !r.TryByte(out byte intSize) || !r.TryByte(out _) || !r.TryByte(out _)
            || major != 1 || intSize is 0 or > 8)
        {
            return (null, null);
        }
        // Archive 1.15 (PostgreSQL 16) stores the compression algorithm as a byte; before, the level as an int.
        bool compressionOk = minor >= 15 ? r.TryByte(out _) : r.TryInt(intSize, out _);
        for (int i = 0; i < 7 && compressionOk; i++)
        {
            compressionOk = r.TryInt(intSize, out _); // creation time: sec, min, hour, mday, mon, year, isdst
        }
        if (!compressionOk || !r.TryString(intSize, out _) || !r.TryString(intSize, out string? server) || !r.TryString(intSize, out string? dumper))
        {
            return (null, null);
        }
        return (server, dumper);
    }

    private static (string?, string?) ParsePlain(ReadOnlySpan<byte> head)
    {
        string text = Encoding.UTF8.GetString(head);
        string? Find(Regex pattern) => pattern.Match(text) is { Success: true } m ? m.Groups[1].Value.Trim() : null;
        return (Find(DumpedFrom()), Find(DumpedBy()));
    }

    [GeneratedRegex(@"^\d+")]
    private static partial Regex LeadingNumber();

    [GeneratedRegex(@"^-- Dumped from database version (.+)$", RegexOptions.Multiline)]
    private static partial Regex DumpedFrom();

    [GeneratedRegex(@"^-- Dumped by pg_dump version (.+)$", RegexOptions.Multiline)]
    private static partial Regex DumpedBy();

    /// <summary>pg_dump's ReadByte/ReadInt/ReadStr over a span: every read checks the length first.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public bool TryByte(out byte value)
        {
            value = 0;
            if (_rest.IsEmpty)
            {
                return false;
            }
            value = _rest[0];
            _rest = _rest[1..];
            return true;
        }

        /// <summary>A sign byte, then intSize bytes, least significant first.</summary>
        public bool TryInt(int intSize, out long value)
        {
            value = 0;
            if (_rest.Length < 1 + intSize)
            {
                return false;
            }
            Span<byte> le = stackalloc byte[8];
            _rest.Slice(1, intSize).CopyTo(le);
            value = (long)BinaryPrimitives.ReadUInt64LittleEndian(le);
            value = _rest[0] != 0 ? -value : value;
            _rest = _rest[(1 + intSize)..];
            return true;
        }

        /// <summary>A length (an int; -1 for NULL) and that many bytes.</summary>
        public bool TryString(int intSize, out string? value)
        {
            value = null;
            if (!TryInt(intSize, out long length) || length > _rest.Length)
            {
                return false;
            }
            if (length < 0)
            {
                return true;
            }
            value = Encoding.UTF8.GetString(_rest[..(int)length]);
            _rest = _rest[(int)length..];
            return true;
        }
    }
}
