using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>Issue 9 through the real binary: help layout, Ctrl-C during a backup, progress on a terminal and as JSON lines, the passphrase from a pipe.</summary>
public sealed class CliUxTests : IDisposable
{
    private readonly Sandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void Subcommand_help_shows_its_own_options_then_a_short_global_group_examples_and_exit_status()
    {
        string help = _box.Ok("backup", "--help").Stdout;
        int own = help.IndexOf("--stdin-name <stdin-name>", StringComparison.Ordinal);
        int globals = help.IndexOf("Global options (`offsite help globals` describes them):", StringComparison.Ordinal);
        int examples = help.IndexOf("Examples:\n  offsite backup /etc /home --tag daily", StringComparison.Ordinal);
        int exit = help.IndexOf("Exit status:", StringComparison.Ordinal);
        Assert.True(own > 0 && own < globals && globals < examples && examples < exit, help);
        // The globals are named once, not described in the command's option table.
        Assert.DoesNotContain("--password-file <password-file>", help, StringComparison.Ordinal);
        Assert.Contains("-r/--repo, --password-file", help, StringComparison.Ordinal);
        Assert.Contains("  130  interrupted (Ctrl-C or SIGTERM)", help, StringComparison.Ordinal);
        Assert.Contains("    7  the key is write-only", help, StringComparison.Ordinal);

        string described = _box.Ok("help", "globals").Stdout;
        Assert.Contains("--password-file <password-file>", described, StringComparison.Ordinal);
        Assert.Contains("--storage-class <storage-class>", described, StringComparison.Ordinal);
        Assert.DoesNotContain("--help", described, StringComparison.Ordinal);

        var key = _box.Expect(2, "key");
        Assert.Contains("offsite key export --write-only", key.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit status:", _box.Ok("help").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigint_during_a_backup_keeps_the_uploaded_packs_for_the_next_run()
    {
        string src = _box.Dir.Sub("big");
        const long fileSize = 5 << 20;
        for (int i = 0; i < 40; i++) Data.WriteRandomFile(Path.Combine(src, $"f{i:00}"), fileSize, (ulong)i + 1);
        const long total = 40 * fileSize;

        using var process = ProcRunner.Start("dotnet", [Sandbox.OffsiteDll, "backup", src], _box.Env);
        var run = ProcRunner.CompleteAsync(process);
        // Interrupt once some packs are stored and well before the end.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_box.PackFiles().Count < 3 && !run.IsCompleted && waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(50);
        }
        Assert.False(run.IsCompleted, "the backup ended before it could be interrupted");
        Proc.Ok("/bin/kill", "-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var r = await run;

        Assert.True(r.ExitCode == 130, r.ToString());
        Assert.Matches(@"offsite: interrupted: no snapshot was written; \d+ packs \([\d.]+ MiB\) uploaded will be reused by the next backup", r.Stderr);
        Assert.DoesNotContain("snapshot", _box.Ok("snapshots").Stdout.Replace("0 snapshots", "", StringComparison.Ordinal), StringComparison.Ordinal);

        // The kept packs are indexed: check finds no pack outside an index.
        var check = _box.Ok("check");
        Assert.DoesNotContain("in no index", check.Stdout + check.Stderr, StringComparison.Ordinal);

        // Without the local cache, the next backup still finds the data in the repository.
        var next = _box.Json("--no-cache", "backup", src);
        long added = next["addedBytes"]!.GetValue<long>(), reused = next["reusedBytes"]!.GetValue<long>();
        Assert.True(reused > 16 << 20 && added + reused >= total && added < total - (16 << 20), next.ToJsonString());
        _box.Ok("check");
    }

    [Fact]
    public void Progress_on_a_terminal_shows_totals_percent_and_eta_and_nothing_when_redirected()
    {
        string src = _box.Dir.Sub("tree");
        for (int i = 0; i < 12; i++) Data.WriteRandomFile(Path.Combine(src, $"f{i:00}"), 4 << 20, (ulong)i + 100);
        string script = string.Join(' ', new[] { "dotnet", Sandbox.OffsiteDll, "backup", src }.Select(Proc.Quote));
        var env = new Dictionary<string, string?>(_box.Env) { ["OFFSITE_PROGRESS_FPS"] = "50", ["TERM"] = "xterm", ["COLUMNS"] = "200" };
        var r = ProcRunner.Run("/usr/bin/script", ["-qec", script, "/dev/null"], env);
        Assert.True(r.ExitCode == 0, r.ToString());
        string screen = r.Stdout;
        Assert.False(screen.StartsWith('\u001b'), "a control sequence before anything was drawn: " + screen);
        Assert.Matches(@"\[0:\d\d\]  [\d.]+%  \d+ / 12 files  [\d.]+ (MiB|KiB|B) / 48.00 MiB  ETA", screen);
        Assert.Contains("/f", screen, StringComparison.Ordinal); // the current file
        Assert.Contains("\r\u001b[K", screen, StringComparison.Ordinal); // erased before the summary
        Assert.Contains("snapshot ", screen, StringComparison.Ordinal);

        var redirected = _box.RunWith(new Dictionary<string, string?> { ["OFFSITE_PROGRESS_FPS"] = "50" }, null, "backup", src);
        Assert.True(redirected.ExitCode == 0, redirected.ToString());
        Assert.DoesNotContain('\u001b', redirected.Stdout + redirected.Stderr);
        Assert.DoesNotContain("ETA", redirected.Stdout + redirected.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_backup_prints_status_lines_then_a_summary_line()
    {
        string src = _box.Dir.Sub("tree");
        for (int i = 0; i < 12; i++) Data.WriteRandomFile(Path.Combine(src, $"f{i:00}"), 4 << 20, (ulong)i + 200);
        var r = _box.RunWith(new Dictionary<string, string?> { ["OFFSITE_PROGRESS_FPS"] = "50" }, null, "--json", "backup", src);
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var status = lines.Where(l => l["message_type"]!.GetValue<string>() == "status").ToList();
        Assert.NotEmpty(status);
        Assert.All(status, s => Assert.True(s["files_done"]!.GetValue<long>() >= 0 && s.ContainsKey("percent_done") && s.ContainsKey("bytes_done"), s.ToJsonString()));
        var summary = lines[^1];
        Assert.Equal("summary", summary["message_type"]!.GetValue<string>());
        Assert.Equal(12, summary["files"]!.GetValue<long>());
        Assert.Equal(48L << 20, summary["bytes"]!.GetValue<long>());
        Assert.DoesNotContain('\u001b', r.Stderr);
    }

    [Fact]
    public void A_piped_passphrase_opens_the_repository_but_backup_stdin_data_is_never_taken_for_one()
    {
        var noPassword = new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = null };
        var piped = _box.RunWith(noPassword, System.Text.Encoding.UTF8.GetBytes(Sandbox.Password + "\n"), "snapshots");
        Assert.True(piped.ExitCode == 0, piped.ToString());

        // The data's first line is the passphrase itself: still refused, since stdin is the data.
        var data = _box.RunWith(noPassword, System.Text.Encoding.UTF8.GetBytes(Sandbox.Password + "\nrow 1\n"), "backup", "--stdin");
        Assert.True(data.ExitCode == 2, data.ToString());
        Assert.Contains("passphrase", data.Stderr, StringComparison.Ordinal);
        Assert.Contains("0 snapshots", _box.Ok("snapshots").Stdout, StringComparison.Ordinal);
    }
}
