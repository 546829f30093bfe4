using Offsite.Core.Errors;

namespace Offsite.Sources.Postgres;

/// <summary>
/// How pg_dump writes a database. Custom uncompressed (<c>-Fc -Z0</c>) is the default: it dedups
/// as well as plain SQL (compression would hide the repeats; the repository compresses each chunk
/// with zstd anyway) and restores through pg_restore (docs/postgres.md has the measurement).
/// </summary>
public enum PgDumpFormat
{
    Custom,
    Plain,
}

public static class PgDumpFormats
{
    /// <summary>The first bytes of a custom-format archive.</summary>
    public static ReadOnlySpan<byte> CustomMagic => "PGDMP"u8;

    public static PgDumpFormat Parse(string text) => text.ToLowerInvariant() switch
    {
        "custom" or "c" => PgDumpFormat.Custom,
        "plain" or "p" or "sql" => PgDumpFormat.Plain,
        _ => throw new OffsiteException(ErrorKind.Usage, $"unknown dump format '{text}': use custom or plain"),
    };

    public static IReadOnlyList<string> PgDumpArguments(this PgDumpFormat format) => format switch
    {
        PgDumpFormat.Custom => ["--format=custom", "--compress=0"],
        _ => ["--format=plain"],
    };

    /// <summary>The file name inside the snapshot: <c>db.dump</c> (custom) or <c>db.sql</c> (plain).</summary>
    public static string FileName(this PgDumpFormat format, string database) =>
        SafeName(database) + (format == PgDumpFormat.Custom ? ".dump" : ".sql");

    /// <summary>What a dump is, from its first bytes.</summary>
    public static PgDumpFormat Detect(ReadOnlySpan<byte> head) =>
        head.StartsWith(CustomMagic) ? PgDumpFormat.Custom : PgDumpFormat.Plain;

    private static string SafeName(string name)
    {
        string s = name.Replace('/', '_');
        return s is "" or "." or ".." ? "_" + s : s;
    }
}
