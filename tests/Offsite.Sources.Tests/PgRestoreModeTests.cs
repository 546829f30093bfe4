using Offsite.Sources.Tests.Support;

namespace Offsite.Sources.Tests;

[Collection(PgCollection.Name)]
public sealed class PgRestoreModeTests : PgTestBase
{
    private const string Small = "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 50) i;";

    [PgFact]
    public async Task If_empty_restores_once_then_leaves_the_database_alone()
    {
        string db = await NewDatabaseAsync("once", Small);
        await BackupAsync(PgServer.Url(db));
        string target = NewTargetName("branch");
        string[] restore = ["restore", "latest", "--source", PgServer.SourceName(db), "--to", PgServer.Url(target), "--if-empty"];

        await Cli.RunOkAsync(restore);
        Assert.Equal("50", (await PgServer.SqlAsync(target, "SELECT count(*) FROM items;")).Trim());
        // what a feature branch's migrations do after the first deploy
        await PgServer.SqlAsync(target, "ALTER TABLE items ADD COLUMN extra text; INSERT INTO items VALUES (1000, 'from the branch', 'x');");
        var before = await PgServer.FingerprintAsync(target);

        var second = await Cli.RunOkAsync(restore);
        Assert.Contains("nothing restored (--if-empty)", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, await PgServer.FingerprintAsync(target));

        var quiet = await Cli.RunOkAsync([.. restore, "--quiet"]);
        Assert.Contains("nothing restored", quiet.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, await PgServer.FingerprintAsync(target));
    }

    [PgFact]
    public async Task Non_empty_target_is_refused_without_a_flag_and_replaced_with_clean()
    {
        string db = await NewDatabaseAsync("clean", Small);
        await BackupAsync(PgServer.Url(db));
        string target = await NewDatabaseAsync("occupied", "CREATE TABLE precious (v text); INSERT INTO precious VALUES ('keep me');");
        string[] restore = ["restore", "latest", "--source", PgServer.SourceName(db), "--to", PgServer.Url(target)];

        var refused = await Cli.RunAsync(restore);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("--if-empty", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--clean", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("keep me", (await PgServer.SqlAsync(target, "SELECT v FROM precious;")).Trim());

        var both = await Cli.RunAsync([.. restore, "--clean", "--if-empty"]);
        Assert.True(both.ExitCode == 2, both.ToString());
        Assert.Equal("keep me", (await PgServer.SqlAsync(target, "SELECT v FROM precious;")).Trim());

        var clean = await Cli.RunOkAsync([.. restore, "--clean"]);
        Assert.Contains("(replaced)", clean.Stdout, StringComparison.Ordinal);
        Assert.Equal(await PgServer.FingerprintAsync(db), await PgServer.FingerprintAsync(target));
    }

    [PgFact]
    public async Task Clean_ends_the_sessions_connected_to_the_database_it_replaces()
    {
        // A branch environment's app is connected when the branch is reset to production data.
        string db = await NewDatabaseAsync("cleanforce", Small);
        await BackupAsync(PgServer.Url(db));
        string target = await NewDatabaseAsync("inuse", "CREATE TABLE precious (v text);");
        using var app = ProcRunner.Start("psql", ["-X", "-q", "-c", "SELECT pg_sleep(120);"], PgServer.Env(target));
        var appExited = ProcRunner.CompleteAsync(app, timeout: TimeSpan.FromSeconds(180));
        await WaitForSessionAsync(target);

        var clean = await Cli.RunOkAsync("restore", "latest", "--source", PgServer.SourceName(db), "--to", PgServer.Url(target), "--clean");

        Assert.Contains("(replaced, 1 connected session(s) ended)", clean.Stdout, StringComparison.Ordinal);
        Assert.Equal(await PgServer.FingerprintAsync(db), await PgServer.FingerprintAsync(target));
        var ended = await appExited;
        Assert.True(ended.ExitCode != 0, ended.ToString()); // its connection was terminated
    }

    private static async Task WaitForSessionAsync(string database)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await PgServer.SqlAsync("postgres", $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}';")).Trim() == "0")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the app never connected");
            await Task.Delay(50);
        }
    }

    [PgFact]
    public async Task Existing_empty_database_is_restored_into_and_a_file_snapshot_is_refused()
    {
        string db = await NewDatabaseAsync("empty", Small);
        await BackupAsync(PgServer.Url(db));
        string target = await NewDatabaseAsync("emptytarget");
        var r = await Cli.RunOkAsync("restore", "latest", "--source", PgServer.SourceName(db), "--to", PgServer.Url(target), "--json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(r.Stdout)!;
        Assert.False((bool)json["created"]!);
        Assert.Equal(50, (long)json["tables"]!["public.items"]!);

        string dir = Path.Combine(Cli.Root, "files");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "a.txt"), "a");
        await Cli.RunOkAsync("backup", dir, "--source", "files");
        var refused = await Cli.RunAsync("restore", "latest", "--source", "files", "--to", PgServer.Url(NewTargetName("nope")));
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("not a database dump", refused.Stderr, StringComparison.Ordinal);
    }
}
