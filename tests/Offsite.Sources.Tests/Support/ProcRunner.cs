using System.Diagnostics;
using System.Text;

namespace Offsite.Sources.Tests.Support;

/// <summary>What a child process did.</summary>
public sealed record ProcResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs real programs with a given environment.</summary>
public static class ProcRunner
{
    public static Process Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> env, bool redirectStdin = false)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
    }

    public static async Task<ProcResult> RunAsync(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> env, string? stdin = null, int timeoutSeconds = 600)
    {
        using var p = Start(program, args, env, redirectStdin: stdin is not null);
        return await CompleteAsync(p, stdin, timeoutSeconds);
    }

    public static async Task<ProcResult> CompleteAsync(Process p, string? stdin = null, int timeoutSeconds = 600)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{p.StartInfo.FileName} {string.Join(' ', p.StartInfo.ArgumentList)} did not finish in {timeoutSeconds}s");
        }
        return new ProcResult(p.ExitCode, await stdout, await stderr);
    }

    public static string Text(IEnumerable<string> lines) => new StringBuilder().AppendJoin('\n', lines).ToString();
}
