using Offsite.Sources.Tests.Support;

namespace Offsite.Sources.Tests;

[Collection(PgCollection.Name)]
public sealed class PgMultiDatabaseTests : PgTestBase
{
    [PgFact]
    public async Task Several_urls_give_one_snapshot_per_database_each_restorable()
    {
        string a = await NewDatabaseAsync("multi_a", "CREATE TABLE a (v int); INSERT INTO a SELECT generate_series(1, 10);");
        string b = await NewDatabaseAsync("multi_b", "CREATE TABLE b (v text); INSERT INTO b VALUES ('x'), ('y');");
        var backup = await BackupAsync(PgServer.Url(a), PgServer.Url(b));
        Assert.Equal(2, backup["snapshots"]!.AsArray().Count);
        Assert.Equal([PgServer.SourceName(a), PgServer.SourceName(b)], await Cli.SnapshotSourcesAsync());

        foreach (string db in new[] { a, b })
        {
            string target = NewTargetName("multi_r");
            await Cli.RunOkAsync("restore", "latest", "--source", PgServer.SourceName(db), "--to", PgServer.Url(target));
            Assert.Equal(await PgServer.FingerprintAsync(db), await PgServer.FingerprintAsync(target));
        }
    }

    [PgFact]
    public async Task All_databases_includes_every_database_and_the_globals()
    {
        string a = await NewDatabaseAsync("all_a", "CREATE TABLE a (v int);");
        string b = await NewDatabaseAsync("all_b", "CREATE TABLE b (v int);");
        string role = "offsite_role_" + Guid.NewGuid().ToString("N")[..8];
        await PgServer.SqlAsync("postgres", $"CREATE ROLE {role} LOGIN;");
        try
        {
            await BackupAsync(PgServer.Url("postgres"), "--all-databases");
            var sources = await Cli.SnapshotSourcesAsync();
            Assert.Contains(PgServer.SourceName("globals"), sources);
            Assert.Contains(PgServer.SourceName(a), sources);
            Assert.Contains(PgServer.SourceName(b), sources);
            Assert.Contains(PgServer.SourceName("postgres"), sources);
            Assert.DoesNotContain(PgServer.SourceName("template1"), sources);

            var globals = await Cli.RunOkAsync("dump", "latest", "--source", PgServer.SourceName("globals"), "/globals.sql");
            Assert.Contains($"CREATE ROLE {role};", globals.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await PgServer.SqlAsync("postgres", $"DROP ROLE {role};");
        }
    }
}
