using System.Diagnostics;

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

        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("Could not start zstd.");
        // Drain stdout/stderr concurrently with writing stdin, otherwise a full pipe deadlocks both sides.
        using var stdout = new MemoryStream();
        Task copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        Task<string> readErr = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        copyOut.GetAwaiter().GetResult();
        string stderr = readErr.GetAwaiter().GetResult();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, $"zstd {string.Join(' ', args)} failed ({process.ExitCode}): {stderr}");
        return stdout.ToArray();
    }
}
