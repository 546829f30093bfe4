namespace Offsite.Codecs.Tests.Support;

/// <summary>
/// Runs the reference <c>zstd</c> CLI. Interop tests must fail (not skip) when it is missing: CI installs it,
/// and a silently skipped interop test would let a non-standard frame format slip through.
/// </summary>
internal static class ZstdCli
{
    private const string Path = "/usr/bin/zstd";

    /// <summary>Runs zstd with <paramref name="args"/>, feeding <paramref name="stdin"/> and returning stdout.</summary>
    public static byte[] Run(byte[] stdin, params string[] args)
    {
        Assert.True(File.Exists(Path), $"{Path} is required for zstd interop tests (install the zstd package).");

        ProcResult r = ProcRunner.Run(Path, args, stdin: stdin);
        Assert.True(r.ExitCode == 0, $"zstd {string.Join(' ', args)} failed ({r.ExitCode}): {r.Stderr}");
        return r.StdoutBytes;
    }
}
