using System.Text;
using System.Text.Json.Nodes;

namespace Offsite.TestSupport;

/// <summary>
/// What a child process did: its exit code, stdout exactly as written (tests compare dumped and decrypted bytes),
/// and stderr as text.
/// </summary>
public sealed record ProcResult(int ExitCode, byte[] StdoutBytes, string Stderr)
{
    /// <summary>Stdout decoded as UTF-8, for the tests that look at text.</summary>
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    /// <summary>Stdout parsed as JSON (what --json commands print).</summary>
    public JsonNode Json() => JsonNode.Parse(StdoutBytes) ?? throw new InvalidOperationException("stdout is JSON null");

    /// <summary>Everything the process said, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
