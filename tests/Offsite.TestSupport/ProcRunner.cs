using System.Diagnostics;
using System.Globalization;

namespace Offsite.TestSupport;

/// <summary>
/// Runs real programs for tests. Arguments go to the program as they are (no shell); stdin, stdout and stderr are
/// always redirected, and stdout and stderr are drained while stdin is written, so a full pipe cannot deadlock
/// the child against the test.
/// </summary>
public static class ProcRunner
{
    /// <summary>Long enough for the slowest end-to-end run, short enough that a hung child fails its test.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Starts <paramref name="program"/> with every stream redirected; stdin stays open until
    /// <see cref="CompleteAsync"/> feeds and closes it. Entries of <paramref name="env"/> set variables, null values remove them.
    /// </summary>
    public static Process Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in env ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                psi.Environment.Remove(name);
            }
            else
            {
                psi.Environment[name] = value;
            }
        }
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
    }

    /// <summary>Runs a program to the end: <paramref name="stdin"/> (or nothing) as its input, its output captured.</summary>
    public static async Task<ProcResult> RunAsync(
        string program,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? env = null,
        byte[]? stdin = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        using Process process = Start(program, args, env);
        return await CompleteAsync(process, stdin, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="RunAsync"/> for synchronous tests. Safe to block on: nothing in the run resumes on the caller's context.
    /// </summary>
    public static ProcResult Run(
        string program,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? env = null,
        byte[]? stdin = null,
        TimeSpan? timeout = null) =>
        RunAsync(program, args, env, stdin, timeout).GetAwaiter().GetResult();

    /// <summary>
    /// Feeds <paramref name="stdin"/> to a process from <see cref="Start"/> (then closes its stdin), waits for it to exit
    /// and returns what it printed. Past <paramref name="timeout"/> the process and its children are killed and a
    /// <see cref="TimeoutException"/> names the command.
    /// </summary>
    public static async Task<ProcResult> CompleteAsync(
        Process process,
        byte[]? stdin = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(process);
        TimeSpan limit = timeout ?? DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);

        Task<byte[]> stdout = ReadAllBytesAsync(process.StandardOutput.BaseStream, deadline.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        Task feed = FeedAsync(process.StandardInput, stdin, deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            // WaitAsync as well: a grandchild that inherited the pipes can keep them open after the child exits.
            await Task.WhenAll(stdout, stderr, feed).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw Stop(process, limit, cancellationToken);
        }
        return new ProcResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static async Task<byte[]> ReadAllBytesAsync(Stream output, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await output.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static async Task FeedAsync(StreamWriter input, byte[]? bytes, CancellationToken cancellationToken)
    {
        // The raw pipe, not the StreamWriter: closing the writer flushes it, and that throws once the pipe is broken.
        Stream pipe = input.BaseStream;
        try
        {
            if (bytes is not null)
            {
                await pipe.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // A child may exit without reading all of its stdin (it failed early, or stopped at the end of what it
            // needed): the broken pipe is expected, and the exit code and stderr tell the test what happened.
        }
        finally
        {
            // End of input: without it a child reading stdin would wait forever.
            await pipe.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Kills what is left of a run that ran out of time or was cancelled, and says which it was.</summary>
    private static Exception Stop(Process process, TimeSpan limit, CancellationToken cancellationToken)
    {
        bool exited = process.HasExited;
        process.Kill(entireProcessTree: true);
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException($"{Describe(process)} was cancelled", cancellationToken);
        }
        string seconds = limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        // An exited child has no tree left to kill: whatever still holds its pipes was orphaned and must be named.
        return new TimeoutException(exited
            ? $"{Describe(process)} exited ({process.ExitCode}) but its stdout/stderr stayed open for {seconds}s: a background process it started still holds them"
            : $"{Describe(process)} did not finish within {seconds}s; killed it and its children");
    }

    private static string Describe(Process process) =>
        $"{process.StartInfo.FileName} {string.Join(' ', process.StartInfo.ArgumentList)} (pid {process.Id})";
}
