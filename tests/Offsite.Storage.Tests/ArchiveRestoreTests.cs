using System.Text.Json;
using Xunit.Abstractions;

namespace Offsite.Storage.Tests;

/// <summary>
/// Storage classes end to end against <see cref="ArchiveS3Server"/> (AWS semantics for archive classes and
/// RestoreObject, which RGW does not emulate): `backup --storage-class GLACIER` puts only data packs there,
/// tagged for the transition rule; `ls` needs no retrieval; `restore` reports archived packs with exit 12,
/// requests retrievals once with the given tier and days, waits with --wait and then restores byte-identically;
/// `check --read-data` calls archived packs not readable yet, never damaged.
/// </summary>
public sealed class ArchiveRestoreTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Data_packs_in_GLACIER_are_retrieved_on_request_and_restore_identically()
    {
        await using var server = new ArchiveS3Server();
        using var cli = new S3Cli($"s3:{server.Endpoint}/bucket/repo");
        cli.Env["OFFSITE_S3_RETRIES"] = "0";
        cli.Ok("init", "--pack-size", "1");
        string src = cli.MakeSource(6);
        cli.Ok("backup", "--storage-class", "GLACIER", src);

        var packs = server.Objects.Where(kv => kv.Key.StartsWith("repo/packs/", StringComparison.Ordinal)).ToList();
        var glacier = packs.Where(kv => kv.Value.StorageClass == "GLACIER").Select(kv => kv.Key).ToHashSet();
        output.WriteLine($"{packs.Count} packs, {glacier.Count} in GLACIER");
        Assert.True(glacier.Count >= 2, "the data packs should be in GLACIER");
        Assert.Contains(packs, kv => kv.Value.StorageClass == "STANDARD"); // the tree pack
        Assert.All(packs.Where(kv => glacier.Contains(kv.Key)), kv => Assert.Equal("offsite-pack=data", kv.Value.Tagging));
        Assert.All(packs.Where(kv => !glacier.Contains(kv.Key)), kv => Assert.Null(kv.Value.Tagging));
        Assert.All(server.Objects.Where(kv => !kv.Key.StartsWith("repo/packs/", StringComparison.Ordinal)), kv => Assert.Equal("STANDARD", kv.Value.StorageClass));

        // Metadata stays readable: listing a snapshot reads only STANDARD objects (no cache to hide a GET).
        cli.Ok("--no-cache", "ls", "latest");

        // A plain restore hits an archived pack: exit 12, and says how to retrieve.
        var plain = cli.Run("--no-cache", "restore", "latest", "--target", cli["r1"]);
        Assert.True(plain.ExitCode == 12, plain.ToString());
        Assert.Contains("archived (GLACIER)", plain.Stderr, StringComparison.Ordinal);
        Assert.Contains("--retrieval-tier", plain.Stderr, StringComparison.Ordinal);

        // check --read-data: archived, not damaged.
        var check = cli.Run("check", "--read-data", "--json");
        Assert.True(check.ExitCode == 0, check.ToString());
        var checkJson = JsonDocument.Parse(check.Stdout).RootElement;
        Assert.Equal(glacier.Count, checkJson.GetProperty("archivedPacks").EnumerateObject().Count());
        Assert.Empty(checkJson.GetProperty("damagedPacks").EnumerateObject());
        Assert.All(checkJson.GetProperty("archivedPacks").EnumerateObject(), p => Assert.Equal("GLACIER", p.Value.GetString()));

        // Request retrievals: each archived pack once, with the tier and days asked for; exit 12 until they finish.
        var requested = cli.Run("restore", "latest", "--target", cli["r2"], "--retrieval-tier", "Bulk", "--retrieval-days", "2");
        Assert.True(requested.ExitCode == 12, requested.ToString());
        Assert.Contains($"{glacier.Count} of {packs.Count} packs are still being retrieved (tier Bulk: typically 5–12 hours)", requested.Stderr, StringComparison.Ordinal);
        Assert.Equal(glacier.Count, requested.Stderr.Split('\n').Count(l => l.StartsWith("pending: pack ", StringComparison.Ordinal)));
        Assert.False(Directory.Exists(Path.Combine(cli["r2"], "a")), "nothing is restored while packs are pending");
        Assert.Equal(glacier.OrderBy(k => k), server.RestoreRequests.Select(r => r.Key).OrderBy(k => k));
        Assert.All(server.RestoreRequests, r => Assert.Equal((2, "Bulk"), (r.Days, r.Tier)));

        // Rerunning does not request again (409 would be the answer); it still reports them pending.
        var again = cli.Run("restore", "latest", "--target", cli["r2"], "--retrieval-tier", "Bulk");
        Assert.True(again.ExitCode == 12, again.ToString());
        Assert.Equal(glacier.Count, server.RestoreRequests.Count);

        // --wait polls (with backoff) until the server finishes the retrievals, then restores.
        server.HeadsUntilRetrieved = 2;
        cli.Env["OFFSITE_RETRIEVAL_POLL_SECONDS"] = "1";
        var waited = cli.Ok("restore", "latest", "--target", cli["r3"], "--retrieval-tier", "Bulk", "--wait");
        Assert.Contains("retrieving: ", waited.Stderr, StringComparison.Ordinal);
        S3Cli.AssertSameTree(src, cli["r3"] + src);
        Assert.Equal(glacier.Count, server.RestoreRequests.Count);

        // Retrieved copies are readable: check reads everything.
        var full = JsonDocument.Parse(cli.Ok("check", "--read-data", "--json").Stdout).RootElement;
        Assert.Empty(full.GetProperty("archivedPacks").EnumerateObject());
    }
}
