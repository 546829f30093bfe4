using System.Diagnostics;
using Offsite.Core.Errors;

namespace Offsite.App.Jobs;

/// <summary>Runs a job's before/after hook: an argv list, no shell, with the job's outcome in its environment.</summary>
public static class HookRunner
{
    public static async Task RunAsync(string job, string which, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(argv[0]) { UseShellExecute = false, RedirectStandardError = true };
        foreach (string a in argv.Skip(1)) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new OffsiteException(ErrorKind.SourceFailed, $"job {job}: {which} hook {argv[0]} could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new OffsiteException(ErrorKind.SourceFailed, $"job {job}: {which} hook {argv[0]} could not be started: {e.Message}", e);
        }
        using (process)
        {
            using var kill = ct.Register(() => process.Kill(entireProcessTree: true));
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            string tail = Tail(await stderr.ConfigureAwait(false));
            if (process.ExitCode != 0)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, $"job {job}: {which} hook {argv[0]} exited with code {process.ExitCode}{(tail.Length > 0 ? ": " + tail : "")}");
            }
        }
    }

    private static string Tail(string text)
    {
        string t = text.Trim();
        return t.Length <= 500 ? t : "…" + t[^500..];
    }
}
