using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Offsite.Core.Errors;
using Offsite.Posix;

namespace Offsite.Sources.Postgres;

/// <summary>What a finished client program did.</summary>
public sealed record PgResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;
}

/// <summary>
/// One PostgreSQL client program as a child process: connection settings only in its
/// environment, stderr kept (its own error message is what the user needs to see).
/// </summary>
public sealed class PgProcess : IAsyncDisposable
{
    private const int StderrLimit = 16 * 1024;
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private PgProcess(Process process, string program)
    {
        _process = process;
        Program = Path.GetFileName(program);
        _stderr = ReadTailAsync(process.StandardError);
    }

    public string Program { get; }

    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    /// <summary>
    /// The program's stdout for bulk data (a dump): batched blocking reads of a 1 MiB pipe instead
    /// of the BCL's 4 KiB-per-wake-up async reads (see <see cref="PipeInputStream"/>).
    /// </summary>
    public PipeInputStream OpenBulkOutput() => PipeInputStream.OfStandardOutput(_process);

    /// <summary>Ends the program (and so any blocked read of its output) when <paramref name="cancellationToken"/> fires.</summary>
    public CancellationTokenRegistration KillOnCancel(CancellationToken cancellationToken) =>
        cancellationToken.Register(static state => ((Process)state!).Kill(entireProcessTree: true), _process);

    public Stream StandardInput => _process.StandardInput.BaseStream;

    public static PgProcess Start(string program, IEnumerable<string> args, PgConnection? connection, bool redirectStdin = false, bool redirectStdout = true)
    {
        var psi = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = redirectStdout,
            RedirectStandardInput = redirectStdin,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        if (connection is not null)
        {
            foreach (var (k, v) in connection.Environment)
            {
                psi.Environment[k] = v;
            }
        }
        if (!psi.Environment.ContainsKey("PGAPPNAME"))
        {
            psi.Environment["PGAPPNAME"] = "offsite";
        }
        try
        {
            var process = Process.Start(psi) ?? throw new OffsiteException(ErrorKind.SourceFailed, $"could not start {program}");
            return new PgProcess(process, program);
        }
        catch (Win32Exception e)
        {
            throw new OffsiteException(ErrorKind.SourceFailed, $"could not start {program}: {e.Message} (install the PostgreSQL client programs or name their directory: --pg-bin DIR, or pg_bin in the config)", e);
        }
    }

    /// <summary>Runs a program to its end and returns its output (for short commands and queries).</summary>
    public static async Task<PgResult> RunAsync(string program, IEnumerable<string> args, PgConnection? connection, CancellationToken cancellationToken, string? stdin = null)
    {
        await using var p = Start(program, args, connection, redirectStdin: stdin is not null);
        if (stdin is not null)
        {
            await using (var input = p.StandardInput)
            {
                await input.WriteAsync(Encoding.UTF8.GetBytes(stdin), cancellationToken).ConfigureAwait(false);
            }
        }
        using var reader = new StreamReader(p.StandardOutput, Encoding.UTF8);
        string stdout = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        int code = await p.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new PgResult(code, stdout, await p.StderrAsync().ConfigureAwait(false));
    }

    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Everything the program wrote on stderr (the last 16 KiB), once it has closed it.</summary>
    public Task<string> StderrAsync() => _stderr;

    /// <summary>Waits for the end; a non-zero exit becomes a SourceFailed error quoting the program's own message.</summary>
    public async Task EnsureSuccessAsync(string what, CancellationToken cancellationToken)
    {
        int code = await WaitAsync(cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new OffsiteException(ErrorKind.SourceFailed, $"{what}: {Program} exited with code {code}: {Describe(await StderrAsync().ConfigureAwait(false))}");
        }
    }

    /// <summary>A program's stderr as one message (its lines joined), or a note that it said nothing.</summary>
    public static string Describe(string stderr)
    {
        string text = string.Join(" | ", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.Length == 0 ? "(no message)" : text;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        await _stderr.ConfigureAwait(false);
        _process.Dispose();
    }

    private static async Task<string> ReadTailAsync(StreamReader reader)
    {
        var tail = new StringBuilder();
        char[] buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            tail.Append(buffer, 0, n);
            if (tail.Length > StderrLimit)
            {
                tail.Remove(0, tail.Length - StderrLimit);
            }
        }
        return tail.ToString();
    }
}
