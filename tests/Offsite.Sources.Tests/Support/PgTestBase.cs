using System.Text.Json.Nodes;

namespace Offsite.Sources.Tests.Support;

/// <summary>One repository per test and the databases it made, dropped afterwards.</summary>
public abstract class PgTestBase : IAsyncLifetime
{
    private readonly List<string> _databases = [];

    protected OffsiteCli Cli { get; } = new();

    protected async Task<string> NewDatabaseAsync(string prefix, string? sql = null)
    {
        string db = await PgServer.CreateDatabaseAsync(prefix);
        _databases.Add(db);
        if (sql is not null)
        {
            await PgServer.SqlAsync(db, sql);
        }
        return db;
    }

    /// <summary>A database name for a restore target, dropped after the test (not created here).</summary>
    protected string NewTargetName(string prefix)
    {
        string db = $"offsite_{prefix}_{Guid.NewGuid():N}"[..40];
        _databases.Add(db);
        return db;
    }

    protected async Task<JsonNode> BackupAsync(params string[] args)
    {
        var r = await Cli.RunOkAsync(["backup", .. args, "--json"]);
        return r.Json(); // the summary: a backup taking over a second prints status lines first
    }

    protected static string Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{program} is not on PATH");

    /// <summary>A --pg-bin directory whose tools are the real ones, except those given as shell scripts.</summary>
    protected string FakeBin(params (string Program, string Script)[] scripts)
    {
        string dir = Path.Combine(Cli.Root, "bin-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        foreach (string program in new[] { "pg_dump", "pg_dumpall", "pg_restore", "psql" })
        {
            string path = Path.Combine(dir, program);
            var script = scripts.FirstOrDefault(s => s.Program == program).Script;
            if (script is null)
            {
                File.CreateSymbolicLink(path, Which(program));
            }
            else
            {
                File.WriteAllText(path, "#!/bin/sh\n" + script.Replace("$REAL", Which(program), StringComparison.Ordinal) + "\n");
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        return dir;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (string db in _databases)
        {
            await PgServer.DropDatabaseAsync(db);
        }
        Cli.Dispose();
    }
}
