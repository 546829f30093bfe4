namespace Offsite.Sources.Tests.Support;

/// <summary>The real `offsite` binary with its own temporary repository and cache.</summary>
public sealed class OffsiteCli : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("offsite-pg-").FullName;

    public OffsiteCli()
    {
        Env = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["OFFSITE_REPOSITORY"] = Path.Combine(_root, "repo"),
            ["OFFSITE_PASSWORD"] = "x",
            ["OFFSITE_SCRYPT_LOG_N"] = "12",
            ["OFFSITE_CACHE_DIR"] = Path.Combine(_root, "cache"),
        };
        var init = RunAsync("init").GetAwaiter().GetResult();
        Assert.True(init.ExitCode == 0, init.ToString());
    }

    public Dictionary<string, string?> Env { get; }

    public string Root => _root;

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "offsite.dll");

    public Task<ProcResult> RunAsync(params string[] args) => ProcRunner.RunAsync("dotnet", [Dll, .. args], Env);

    public System.Diagnostics.Process Start(params string[] args) => ProcRunner.Start("dotnet", [Dll, .. args], Env);

    /// <summary>Runs and asserts the exit code, showing everything on failure.</summary>
    public async Task<ProcResult> RunOkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.ExitCode == 0, $"offsite {string.Join(' ', args)}\n{r}");
        return r;
    }

    /// <summary>Snapshot sources, one per snapshot, oldest first.</summary>
    public async Task<List<string>> SnapshotSourcesAsync()
    {
        var r = await RunOkAsync("snapshots", "--json");
        var array = System.Text.Json.Nodes.JsonNode.Parse(r.Stdout)!.AsArray();
        return array.Select(n => (string)n!["source"]!).ToList();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
