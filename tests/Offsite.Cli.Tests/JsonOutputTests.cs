using System.Text.Json;
using System.Text.RegularExpressions;

namespace Offsite.Cli.Tests;

/// <summary>
/// Every command's --json output is one valid JSON document (parsed with System.Text.Json), with times in
/// RFC 3339 ('+' not escaped), modes as octal strings and sizes as byte counts.
/// </summary>
public sealed partial class JsonOutputTests
{
    [Fact]
    public void Backup_with_stage_times_reports_cpu_seconds_by_stage_in_json_and_in_a_line()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "text.txt"), string.Concat(Enumerable.Range(0, 100_000).Select(n => $"line {n}\n")));

        var stages = box.Json("backup", src, "--stage-times")["stageCpuSeconds"]!.AsObject();
        var line = box.Ok("backup", src, "--stage-times");

        foreach (string stage in new[] { "loadIndex", "walk", "read", "chunk", "hash", "compress", "encrypt", "store" })
        {
            Assert.True(stages[stage]!.GetValue<double>() >= 0, stage);
        }
        Assert.True(stages["compress"]!.GetValue<double>() > 0, stages.ToJsonString());
        Assert.True(stages["process"]!.GetValue<double>() >= stages.Where(s => s.Key != "process").Sum(s => s.Value!.GetValue<double>()), stages.ToJsonString());
        Assert.Matches(@"CPU seconds by stage: load index [0-9.]+, walk [0-9.]+, read [0-9.]+, chunk [0-9.]+, hash [0-9.]+, compress [0-9.]+, encrypt [0-9.]+, store [0-9.]+; other [0-9.]+ .*; process [0-9.]+", line.Stdout + line.Stderr);
    }

    [Fact]
    public void Every_reading_and_writing_command_prints_valid_json_with_rfc3339_times_octal_modes_and_byte_sizes()
    {
        using var box = new Sandbox(init: false);
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "a.txt"), "alpha");
        File.CreateSymbolicLink(Path.Combine(src, "link"), "a.txt");
        var outputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        JsonElement Run(params string[] args)
        {
            var r = box.Ok(args);
            string text = r.Stdout;
            Assert.DoesNotContain("\\u002B", text, StringComparison.Ordinal);
            // One document, or JSON lines (backup prints status lines first when it runs over a second): every value is checked.
            List<System.Text.Json.Nodes.JsonNode?> values;
            try
            {
                values = r.JsonLines();
            }
            catch (JsonException e)
            {
                throw new Xunit.Sdk.XunitException($"offsite {string.Join(' ', args)}: not JSON ({e.Message}):\n{text}");
            }
            Assert.NotEmpty(values);
            foreach (var value in values)
            {
                CheckValues(string.Join(' ', args), JsonDocument.Parse(value?.ToJsonString() ?? "null").RootElement, "");
            }
            var root = JsonDocument.Parse(r.Json().ToJsonString()).RootElement.Clone();
            outputs[string.Join(' ', args)] = root;
            return root;
        }

        Run("--json", "init");
        string first = Run("--json", "backup", src, "--tag", "t").GetProperty("snapshot").GetString()!;
        File.WriteAllText(Path.Combine(src, "b.txt"), "bravo");
        string second = Run("backup", src, "--json").GetProperty("snapshot").GetString()!;
        Run("--json", "snapshots");
        Run("--json", "snapshots", "--group-by", "host,tags", "--latest", "1");
        Run("--json", "ls", "latest", "--recursive");
        Run("--json", "find", "*.txt");
        var diff = Run("diff", first, second, "--json"); // --json after the command, as restic users type it
        Assert.Equal("added", diff.GetProperty("changes")[0].GetProperty("change").GetString());
        Run("--json", "stats");
        Run("--json", "stats", "--mode", "raw-data", "latest");
        Run("--json", "tag", "latest", "--add", "json");
        Run("--json", "restore", "latest", "--target", box.Path("out"));
        Run("--json", "check");
        Run("--json", "key", "list");
        Run("--json", "forget", "--keep-last", "1", "--dry-run");
        Run("--json", "prune", "--dry-run");

        // The fields are what they say: times, octal modes, byte sizes.
        var snapshot = outputs["--json snapshots"][0];
        Assert.Matches(Rfc3339(), snapshot.GetProperty("time").GetString()!);
        Assert.Equal(JsonValueKind.Number, snapshot.GetProperty("bytes").ValueKind);
        var link = outputs["--json ls latest --recursive"].EnumerateArray().Single(e => e.GetProperty("path").GetString()!.EndsWith("/link", StringComparison.Ordinal));
        Assert.Equal("0777", link.GetProperty("mode").GetString());
        var found = outputs["--json find *.txt"].EnumerateArray().First();
        Assert.Equal(5, found.GetProperty("size").GetInt64());
        Assert.Equal(Convert.ToString((int)File.GetUnixFileMode(Path.Combine(src, "a.txt")), 8).PadLeft(4, '0'), found.GetProperty("mode").GetString());
    }

    /// <summary>Every string that looks like a time is RFC 3339; every "mode" is an octal string; sizes are numbers.</summary>
    private static void CheckValues(string command, JsonElement e, string name)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) CheckValues(command, p.Value, p.Name);
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) CheckValues(command, item, name);
                break;
            case JsonValueKind.String:
                string s = e.GetString()!;
                if (LooksLikeTime().IsMatch(s)) Assert.True(Rfc3339().IsMatch(s), $"{command}: {name} = {s} is not RFC 3339");
                if (name == "mode") Assert.True(Octal().IsMatch(s), $"{command}: mode {s} is not an octal string");
                Assert.False(name is "size" or "bytes", $"{command}: {name} is a string, not a byte count");
                break;
            default:
                Assert.False(name == "mode", $"{command}: mode is {e.ValueKind}, not an octal string");
                break;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:")]
    private static partial Regex LooksLikeTime();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    [GeneratedRegex("^[0-7]{4}$")]
    private static partial Regex Octal();
}
