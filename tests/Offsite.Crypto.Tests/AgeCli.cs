namespace Offsite.Crypto.Tests;

/// <summary>
/// Runs the real age CLI. Tests using it fail (not skip) when it is missing: CI installs Debian's age.
/// Passphrase prompts read /dev/tty, so those runs go through util-linux `script` to get a pseudo-terminal.
/// </summary>
internal static class AgeCli
{
    public const string Age = "/usr/bin/age";
    public const string AgeKeygen = "/usr/bin/age-keygen";
    private const string Script = "/usr/bin/script";

    /// <summary>Runs an age tool; the result deconstructs as (exit code, stdout bytes, stderr).</summary>
    public static ProcResult Run(string program, IEnumerable<string> args, byte[]? stdin = null)
    {
        Assert.True(File.Exists(program), $"{program} is required for interop tests (apt-get install age)");
        return ProcRunner.Run(program, args, stdin: stdin);
    }

    /// <summary>Runs an age command line inside a pseudo-terminal, typing <paramref name="ttyInput"/> into it.</summary>
    public static int RunWithTty(string commandLine, string ttyInput)
    {
        Assert.True(File.Exists(Age), $"{Age} is required for interop tests (apt-get install age)");
        Assert.True(File.Exists(Script), $"{Script} (util-linux) is required to drive age's passphrase prompt");
        (int code, _, string err) = Run(Script, ["-q", "-e", "-c", commandLine, "/dev/null"], System.Text.Encoding.UTF8.GetBytes(ttyInput));
        Assert.True(code == 0, $"'{commandLine}' failed ({code}): {err}");
        return code;
    }

    /// <summary>Single-quotes a path for the shell command line given to `script -c`.</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>A temporary directory removed at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "offsite-crypto-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
