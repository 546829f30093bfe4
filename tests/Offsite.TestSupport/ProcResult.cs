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

    /// <summary>
    /// Stdout parsed as JSON (what --json commands print). A command that streams JSON lines
    /// (backup's restic-style status lines, then its summary) yields its last value that is not a status line.
    /// </summary>
    public JsonNode Json()
    {
        var values = JsonLines();
        return values.LastOrDefault(v => v is not JsonObject o || o["message_type"]?.GetValue<string>() != "status")
            ?? throw new InvalidOperationException($"stdout holds no JSON value but status lines: {Stdout}");
    }

    /// <summary>Every JSON value on stdout, in order (one document, or JSON lines).</summary>
    public List<JsonNode?> JsonLines()
    {
        var values = new List<JsonNode?>();
        var reader = new System.Text.Json.Utf8JsonReader(StdoutBytes, new System.Text.Json.JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            values.Add(JsonNode.Parse(ref reader));
        }
        return values;
    }

    /// <summary>Everything the process said, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
