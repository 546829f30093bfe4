using Offsite.Sources.Tests.Support;

namespace Offsite.Sources.Tests;

[Collection(PgCollection.Name)]
public sealed class PgVerifyTests : PgTestBase
{
    [PgFact]
    public async Task Restore_drill_checks_counts_against_the_dump_and_drops_the_scratch_database()
    {
        string db = await NewDatabaseAsync("drill", Schemas.ManyTypes);
        await BackupAsync(PgServer.Url(db), "--globals");
        string scratch = NewTargetName("scratch");
        var r = await Cli.RunOkAsync("verify", "--restore-to", PgServer.Url(scratch), "--json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(r.Stdout)!;
        Assert.True((bool)json["ok"]!);
        Assert.Equal(PgServer.SourceName(db), (string)json["source"]!);
        Assert.Equal(3000, (long)json["tables"]!["app.things"]!["dump"]!);
        Assert.Equal(3000, (long)json["tables"]!["app.things"]!["restored"]!);
        Assert.Equal(3, (long)json["tables"]!["public.\"Weird \"\"Quoted\"\" Table\""]!["restored"]!);
        Assert.False(await PgServer.DatabaseExistsAsync(scratch));
    }

    [PgFact]
    public async Task Restore_drill_fails_when_restored_rows_differ_and_refuses_a_scratch_with_data()
    {
        string db = await NewDatabaseAsync("drillbad", "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 100);");
        await BackupAsync(PgServer.Url(db));

        // a restore program that loses rows: the drill must notice
        string bin = FakeBin(("pg_restore", """
            case "$*" in *--dbname*) $REAL "$@" || exit $?; exec psql -X -q -c "DELETE FROM t WHERE a > 90" ;; esac
            exec $REAL "$@"
            """));
        string scratch = NewTargetName("scratchbad");
        var bad = await Cli.RunAsync("verify", "--restore-to", PgServer.Url(scratch), "--source", PgServer.SourceName(db), "--pg-bin", bin);
        Assert.True(bad.ExitCode == 4, bad.ToString());
        Assert.Contains("public.t: the dump holds 100 rows, the restored table has 90", bad.Stderr, StringComparison.Ordinal);
        Assert.False(await PgServer.DatabaseExistsAsync(scratch));

        string occupied = await NewDatabaseAsync("occupied", "CREATE TABLE keep (v int); INSERT INTO keep VALUES (7);");
        var refused = await Cli.RunAsync("verify", "--restore-to", PgServer.Url(occupied));
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Equal("7", (await PgServer.SqlAsync(occupied, "SELECT v FROM keep;")).Trim());
    }
}
