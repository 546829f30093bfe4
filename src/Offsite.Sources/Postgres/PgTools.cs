using System.Globalization;
using System.Text.RegularExpressions;

namespace Offsite.Sources.Postgres;

/// <summary>Where the PostgreSQL client programs are: <c>--pg-bin DIR</c>, else the PATH.</summary>
public sealed partial class PgTools
{
    public PgTools(string? binDirectory) => BinDirectory = binDirectory;

    public string? BinDirectory { get; }

    public string PgDump => Resolve("pg_dump");
    public string PgDumpAll => Resolve("pg_dumpall");
    public string PgRestore => Resolve("pg_restore");
    public string Psql => Resolve("psql");

    public string Resolve(string program) => BinDirectory is null ? program : Path.Combine(BinDirectory, program);

    /// <summary>The major version a client program reports (<c>pg_dump (PostgreSQL) 15.4</c> → 15).</summary>
    public async Task<int?> MajorVersionAsync(string program, CancellationToken cancellationToken)
    {
        var result = await PgProcess.RunAsync(program, ["--version"], null, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? ParseMajor(result.Stdout) : null;
    }

    public static int? ParseMajor(string versionText)
    {
        var m = VersionPattern().Match(versionText);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}
