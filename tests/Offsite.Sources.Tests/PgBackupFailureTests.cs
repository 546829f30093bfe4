using System.Diagnostics;
using Offsite.Sources.Tests.Support;

namespace Offsite.Sources.Tests;

[Collection(PgCollection.Name)]
public sealed class PgBackupFailureTests : PgTestBase
{
    private async Task AssertFailsWithNoSnapshotAsync(string[] args, string pgDumpSays)
    {
        var before = await Cli.SnapshotSourcesAsync();
        var r = await Cli.RunAsync(["backup", .. args]);
        Assert.True(r.ExitCode == 9, r.ToString());
        Assert.Contains("pg_dump", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(pgDumpSays, r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await Cli.SnapshotSourcesAsync());
    }

    [PgFact]
    public Task Missing_database_fails_with_pg_dumps_message() =>
        AssertFailsWithNoSnapshotAsync([PgServer.Url("offsite_no_such_db")], "database \"offsite_no_such_db\" does not exist");

    [PgFact]
    public Task Unknown_role_fails_with_pg_dumps_message() =>
        AssertFailsWithNoSnapshotAsync([PgServer.Url("postgres", "offsite_nobody")], "role \"offsite_nobody\" does not exist");

    [PgFact]
    public async Task Role_that_may_not_log_in_fails_and_other_databases_are_still_backed_up()
    {
        string db = await NewDatabaseAsync("ok", "CREATE TABLE t (a int); INSERT INTO t VALUES (1);");
        string role = "offsite_nologin_" + Guid.NewGuid().ToString("N")[..8];
        await PgServer.SqlAsync("postgres", $"CREATE ROLE {role} NOLOGIN;");
        try
        {
            var r = await Cli.RunAsync("backup", PgServer.Url(db, role), PgServer.Url(db));
            Assert.True(r.ExitCode == 9, r.ToString());
            Assert.Contains("is not permitted to log in", r.Stderr, StringComparison.Ordinal);
            Assert.Equal([PgServer.SourceName(db)], await Cli.SnapshotSourcesAsync());
        }
        finally
        {
            await PgServer.SqlAsync("postgres", $"DROP ROLE {role};");
        }
    }

    [PgFact]
    public async Task Server_side_death_mid_dump_fails_the_backup_with_no_snapshot()
    {
        string db = await NewDatabaseAsync("killed");
        var init = await ProcRunner.RunAsync("pgbench", ["-i", "-s", "10", "-q", db], PgServer.Env(db));
        Assert.True(init.ExitCode == 0, init.ToString());

        using var backup = Cli.Start("backup", PgServer.Url(db));
        var completion = ProcRunner.CompleteAsync(backup);
        var clock = Stopwatch.StartNew();
        // Freeze offsite as soon as its pg_dump is connected (application_name offsite): pg_dump then blocks on the full pipe in the
        // middle of its COPY, so the backend can be killed mid-stream however fast the machine is.
        bool frozen = false;
        while (!frozen && !completion.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            string connected = await PgServer.SqlAsync("postgres",
                $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}' AND application_name = 'offsite';");
            if (connected.Trim() != "0")
            {
                Assert.True(Signal(backup.Id, "STOP"), "kill -STOP failed");
                frozen = true;
            }
        }
        bool terminated = false;
        while (!terminated && !completion.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            // the backend serving pg_dump's COPY dies, as when the server is killed
            string killed = await PgServer.SqlAsync("postgres",
                $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{db}' AND query LIKE 'COPY %';");
            terminated = killed.Trim() != "0";
            await Task.Delay(20);
        }
        Assert.True(frozen, "pg_dump never connected while the backup ran");
        Assert.True(Signal(backup.Id, "CONT"), $"kill -CONT failed (exited: {backup.HasExited}, terminated: {terminated})");
        var r = await completion;
        Assert.True(terminated, $"the dump finished before its COPY was seen: {r}");
        Assert.True(r.ExitCode == 9, r.ToString());
        Assert.Contains("pg_dump: error:", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(await Cli.SnapshotSourcesAsync());
    }

    [PgFact]
    public async Task Wrong_passphrase_ends_the_dump_that_started_before_the_repository_opened()
    {
        string db = await NewDatabaseAsync("wrongpw", "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 100000);");
        var env = new Dictionary<string, string?>(Cli.Env) { ["OFFSITE_PASSWORD"] = "not the passphrase" };

        var r = await ProcRunner.RunAsync("dotnet", [OffsiteCli.Dll, "backup", PgServer.Url(db)], env);

        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Empty(await Cli.SnapshotSourcesAsync());
        // pg_dump was started first and must not outlive the failed command.
        var clock = Stopwatch.StartNew();
        string connected = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            connected = (await PgServer.SqlAsync("postgres",
                $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}' AND application_name = 'offsite';")).Trim();
            if (connected == "0")
            {
                break;
            }
            await Task.Delay(50);
        }
        Assert.Equal("0", connected);
    }

    [PgFact]
    public async Task Missing_pg_dump_is_a_source_failure()
    {
        var r = await Cli.RunAsync("backup", PgServer.Url("postgres"), "--pg-bin", "/nonexistent/bin");
        Assert.True(r.ExitCode == 9, r.ToString());
        Assert.Contains("could not start", r.Stderr, StringComparison.Ordinal);
    }

    [PgFact]
    public async Task Older_pg_dump_than_the_server_is_warned_about_when_it_refuses()
    {
        // What pg_dump 9.6 does against PostgreSQL 15: no output, its own message, exit 1.
        string db = await NewDatabaseAsync("old", "CREATE TABLE t (a int);");
        string bin = FakeBin(("pg_dump", """
            if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 9.6.24"; exit 0; fi
            echo "pg_dump: error: server version: 15.4; pg_dump version: 9.6.24" >&2
            echo "pg_dump: error: aborting because of server version mismatch" >&2
            exit 1
            """));
        var r = await Cli.RunAsync("backup", PgServer.Url(db), "--pg-bin", bin);
        Assert.True(r.ExitCode == 9, r.ToString());
        Assert.Contains("aborting because of server version mismatch", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("pg_dump 9 is older than the server", r.Stderr, StringComparison.Ordinal);
        Assert.True(r.Stderr.IndexOf("older than the server", StringComparison.Ordinal) < r.Stderr.IndexOf("1 of 1 PostgreSQL backup", StringComparison.Ordinal), r.Stderr);
    }

    [PgFact]
    public async Task A_successful_dump_is_not_followed_by_version_queries()
    {
        // The versions come from the dump's own header: no `pg_dump --version`, no psql connection.
        string db = await NewDatabaseAsync("header", "CREATE TABLE t (a int);");
        string record = Path.Combine(Cli.Root, "calls.log");
        string bin = FakeBin(
            ("pg_dump", $"echo \"pg_dump $*\" >> {record}\nexec $REAL \"$@\""),
            ("psql", $"echo \"psql $*\" >> {record}\nexec $REAL \"$@\""));
        var r = await Cli.RunOkAsync("backup", PgServer.Url(db), "--pg-bin", bin);
        Assert.DoesNotContain("warning", r.Stderr, StringComparison.Ordinal);
        string[] calls = File.ReadAllLines(record);
        Assert.Single(calls);
        Assert.StartsWith("pg_dump --format=custom", calls[0], StringComparison.Ordinal);
    }

    [PgFact]
    public async Task Password_from_the_url_reaches_pg_dump_only_through_its_environment()
    {
        string db = await NewDatabaseAsync("secret", "CREATE TABLE t (a int);");
        const string Password = "Sup3r-Secret-Pw";
        string record = Path.Combine(Cli.Root, "pg_dump.seen");
        string bin = FakeBin(("pg_dump", $$"""
            if [ "$1" != "--version" ]; then echo "args: $*" >> {{record}}; echo "env: $PGPASSWORD" >> {{record}}; fi
            exec $REAL "$@"
            """));
        string url = $"postgres://{PgServer.User}:{Password}@{PgServer.Host}:{PgServer.Port}/{db}";
        var r = await Cli.RunOkAsync("backup", url, "--pg-bin", bin);
        string seen = File.ReadAllText(record);
        Assert.Contains($"env: {Password}", seen, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, seen.Split('\n').Single(l => l.StartsWith("args:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, r.Stdout + r.Stderr, StringComparison.Ordinal);
    }

    private static bool Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        return kill.ExitCode == 0;
    }
}
