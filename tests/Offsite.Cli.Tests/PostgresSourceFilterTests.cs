using System.Text.RegularExpressions;

namespace Offsite.Cli.Tests;

/// <summary>`--source postgres://…` finds the snapshots the PostgreSQL source named pg:host:port/db (test server from OFFSITE_TEST_PG).</summary>
public sealed partial class PostgresSourceFilterTests
{
    [Fact]
    public void A_postgres_url_selects_the_same_snapshots_as_the_pg_source_name()
    {
        string conninfo = Environment.GetEnvironmentVariable("OFFSITE_TEST_PG")
            ?? throw new InvalidOperationException("OFFSITE_TEST_PG is not set: run `eval \"$(bash scripts/peers.sh env)\"` (scripts/test.sh does)");
        var settings = KeyValue().Matches(conninfo).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        string host = settings.GetValueOrDefault("host", "127.0.0.1"), port = settings.GetValueOrDefault("port", "5432"), user = settings.GetValueOrDefault("user", "postgres");
        using var box = new Sandbox();
        string pgSnapshot = box.Backup($"postgres://{user}@{host}:{port}/postgres")["snapshots"]![0]!["snapshot"]!.GetValue<string>();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "f"), "x");
        box.Backup(src); // another source, newer: `latest` without a filter would pick it

        string name = $"pg:{host}:{port}/postgres";
        List<string> Ids(string source) => box.Json("snapshots", "--source", source).AsArray().Select(s => s!["id"]!.GetValue<string>()).ToList();
        Assert.Equal([pgSnapshot], Ids(name));
        // The URL form, with the user, another user, a password, the postgresql:// scheme or parameters: the same snapshot.
        Assert.Equal([pgSnapshot], Ids($"postgres://{user}@{host}:{port}/postgres"));
        Assert.Equal([pgSnapshot], Ids($"postgresql://someone:secret@{host}:{port}/postgres?sslmode=disable"));
        Assert.Empty(Ids($"postgres://{user}@{host}:{port}/otherdb"));
        // `latest --source URL` resolves to it for reading commands too.
        var listing = box.Json("ls", "latest", "--source", $"postgres://{user}@{host}:{port}/postgres", "--recursive").AsArray();
        Assert.Contains(listing, e => e!["type"]!.GetValue<string>() == "file");
        Assert.Equal([pgSnapshot], box.Json("find", "*", "--source", $"postgres://{user}@{host}:{port}/postgres").AsArray().Select(m => m!["snapshot"]!.GetValue<string>()).Distinct());
    }

    [GeneratedRegex(@"(\w+)=(\S+)")]
    private static partial Regex KeyValue();
}
