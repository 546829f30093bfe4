using Offsite.Sources.Tests.Support;

namespace Offsite.Sources.Tests;

[Collection(PgCollection.Name)]
public sealed class PgRoundTripTests : PgTestBase
{
    [PgFact]
    public async Task Many_types_round_trip_through_the_default_custom_format()
    {
        string db = await NewDatabaseAsync("types", Schemas.ManyTypes);
        var expected = await PgServer.FingerprintAsync(db);
        string facts = await PgServer.SqlAsync(db, Schemas.ManyTypesFacts);

        var backup = await BackupAsync(PgServer.Url(db), "--tag", "nightly");
        var snap = backup["snapshots"]!.AsArray().Single()!;
        Assert.Equal(PgServer.SourceName(db), (string)snap["source"]!);
        Assert.Equal($"/{db}.dump", (string)snap["file"]!);

        string target = NewTargetName("types_r");
        var restore = await Cli.RunOkAsync("restore", "latest", "--source", PgServer.SourceName(db), "--to", PgServer.Url(target));
        Assert.Contains("(created)", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("app.things: 3000 rows", restore.Stdout, StringComparison.Ordinal);

        Assert.Equal(expected, await PgServer.FingerprintAsync(target));
        Assert.Equal(facts, await PgServer.SqlAsync(target, Schemas.ManyTypesFacts));
        Assert.Contains("things_touch", facts, StringComparison.Ordinal);
        Assert.Contains("lo|5|", facts, StringComparison.Ordinal);
    }

    [PgFact]
    public async Task Many_types_round_trip_through_plain_sql()
    {
        string db = await NewDatabaseAsync("plain", Schemas.ManyTypes);
        var expected = await PgServer.FingerprintAsync(db);
        string facts = await PgServer.SqlAsync(db, Schemas.ManyTypesFacts);

        var backup = await BackupAsync(PgServer.Url(db), "--pg-format", "plain");
        Assert.Equal($"/{db}.sql", (string)backup["snapshots"]![0]!["file"]!);
        var dump = await Cli.RunOkAsync("dump", "latest", "--source", PgServer.SourceName(db), $"/{db}.sql");
        Assert.Contains("PostgreSQL database dump", dump.Stdout, StringComparison.Ordinal);

        string target = NewTargetName("plain_r");
        await Cli.RunOkAsync("restore", "latest", "--source", PgServer.SourceName(db), "--to", PgServer.Url(target));
        Assert.Equal(expected, await PgServer.FingerprintAsync(target));
        Assert.Equal(facts, await PgServer.SqlAsync(target, Schemas.ManyTypesFacts));

        var verify = await Cli.RunOkAsync("verify", "--restore-to", PgServer.Url(NewTargetName("plain_v")), "--source", PgServer.SourceName(db));
        Assert.Contains("OK", verify.Stdout, StringComparison.Ordinal);
    }

    [PgFact]
    public async Task Pgbench_database_round_trips_with_identical_counts_and_digests_and_dedups_unchanged_runs()
    {
        string db = await NewDatabaseAsync("bench");
        var init = await ProcRunner.RunAsync("pgbench", ["-i", "-s", "10", "-q", db], PgServer.Env(db));
        Assert.True(init.ExitCode == 0, init.ToString());

        var first = await BackupAsync(PgServer.Url(db));
        long dumpBytes = (long)first["bytes"]!;
        Assert.True(dumpBytes > 90_000_000, $"dump of pgbench -s 10 is {dumpBytes} bytes");
        var again = await BackupAsync(PgServer.Url(db));
        Assert.True((long)again["addedBytes"]! < dumpBytes / 20, $"an unchanged database added {again["addedBytes"]} of {dumpBytes} bytes");

        await PgServer.SqlAsync(db, "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % 100 = 0;");
        var updated = await BackupAsync(PgServer.Url(db));
        Assert.True((long)updated["addedStoredBytes"]! < dumpBytes / 10, $"1% updated rows stored {updated["addedStoredBytes"]} bytes");

        var expected = await PgServer.FingerprintAsync(db);
        Assert.Equal("1000000", expected["public.pgbench_accounts"].Split(' ')[0]);
        string target = NewTargetName("bench_r");
        await Cli.RunOkAsync("restore", "latest", "--source", PgServer.SourceName(db), "--to", PgServer.Url(target));
        Assert.Equal(expected, await PgServer.FingerprintAsync(target));
    }
}
