using System.Globalization;
using Xunit.Abstractions;

namespace Offsite.Cli.Tests;

/// <summary>
/// Prune while backups run, as separate processes of the real binary (issue 11): a host with the passphrase and a
/// write-only host (a key from `key export --write-only`, its own cache and pack log) back up while another process
/// forgets and prunes with a one-second grace period, started at random offsets. After every round
/// `check --read-data` passes: no finished snapshot ever misses a blob. The storage-call-level interleavings are in
/// Offsite.Core.Tests (PruneInterleavingTests).
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ConcurrentPruneTests
{
    private readonly ITestOutputHelper _output;

    public ConcurrentPruneTests(ITestOutputHelper output) => _output = output;

    /// <summary>Rewrites <paramref name="changed"/> of six files: the rest stay, so packs end up partly used.</summary>
    private static void Change(string src, int round, int changed, ulong salt)
    {
        for (int i = 0; i < 6; i++)
        {
            string path = Path.Combine(src, $"f{i}.bin");
            if (!File.Exists(path) || (i + round) % 6 < changed)
            {
                File.Delete(path);
                Data.WriteRandomFile(path, 700_000 + (i * 50_000), salt + (ulong)((round * 10) + i));
            }
        }
    }

    [Fact]
    public async Task Backups_of_a_full_and_a_write_only_host_never_lose_a_blob_to_a_concurrent_prune()
    {
        using var box = new Sandbox();
        box.Env["OFFSITE_TEST_MIN_GRACE_SECONDS"] = "1";
        string full = box.Dir.Sub("full"), writer = box.Dir.Sub("writer");
        string hostKey = box.Path("host.key");
        box.Ok("key", "export", "--write-only", "-o", hostKey);
        var writerEnv = new Dictionary<string, string?>
        {
            ["OFFSITE_PASSWORD"] = null, ["OFFSITE_KEY_FILE"] = hostKey, ["OFFSITE_CACHE_DIR"] = box.Path("writer-cache"),
        };
        int seed = Environment.GetEnvironmentVariable("OFFSITE_CRASH_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Environment.TickCount;
        var rng = new Random(seed);
        _output.WriteLine($"seed {seed} (set OFFSITE_CRASH_SEED to repeat)");

        int committed = 0, refused = 0;
        long deletedPacks = 0;
        string? lastWriterSnapshot = null;
        int lastWriterRound = -1;
        for (int round = 0; round < 5; round++)
        {
            Change(full, round, changed: 2, salt: 1000);
            Change(writer, round, changed: 2, salt: 5000);
            int janitorDelay = rng.Next(0, 2500), writerDelay = rng.Next(0, 1500);
            var fullBackup = Task.Run(() => box.Run("--json", "backup", full));
            var writerBackup = Task.Run(async () =>
            {
                await Task.Delay(writerDelay);
                return box.RunWith(writerEnv, null, "--json", "backup", writer);
            });
            var janitor = Task.Run(async () =>
            {
                await Task.Delay(janitorDelay);
                var forget = box.Run("forget", "--keep-last", "1");
                var prune = box.Run("--json", "prune", "--grace", "1s", "--wait", "--max-unused", "0%");
                return (forget, prune);
            });
            await Task.WhenAll(fullBackup, writerBackup, janitor);

            var (forgetResult, pruneResult) = await janitor;
            Sandbox.Expect(0, forgetResult, ["forget", $"(round {round})"]);
            Sandbox.Expect(0, pruneResult, ["prune", $"(round {round})"]);
            deletedPacks += pruneResult.Json()["deletedPacks"]!.GetValue<long>();
            foreach (var (who, r) in new[] { ("full", await fullBackup), ("write-only", await writerBackup) })
            {
                _output.WriteLine($"round {round}: {who} backup exit {r.ExitCode} (janitor after {janitorDelay} ms, writer after {writerDelay} ms) {r.Stderr.Split('\n')[0]}");
                // A backup whose commit would come too close to a deletion refuses (exit 11) and writes no snapshot.
                Assert.True(r.ExitCode is 0 or 11, $"round {round}: {who} backup: {r}");
                if (r.ExitCode == 0)
                {
                    committed++;
                    if (who == "write-only")
                    {
                        lastWriterSnapshot = r.Json()["snapshot"]!.GetValue<string>();
                        lastWriterRound = round;
                    }
                }
                else
                {
                    refused++;
                }
            }
            var check = box.Run("check", "--read-data");
            Assert.True(check.ExitCode == 0, $"round {round}: check --read-data after concurrent backups and prune: {check}");
        }
        _output.WriteLine($"{committed} backups committed, {refused} refused, {deletedPacks} packs deleted");
        Assert.True(committed >= 5, $"only {committed} of 10 backups committed");
        Assert.True(deletedPacks > 0, "the prunes deleted nothing: the test exercised no deletion");

        // The write-only host keeps backing up after all of it (its pack log forgot the deleted packs), and the
        // owner restores what it stored, byte for byte, also after one more prune.
        if (lastWriterRound != 4)
        {
            Change(writer, 5, changed: 2, salt: 5000);
            lastWriterSnapshot = Sandbox.Expect(0, box.RunWith(writerEnv, null, "--json", "backup", writer), ["backup", "(write-only, after the rounds)"])
                .Json()["snapshot"]!.GetValue<string>();
        }
        box.Ok("prune", "--grace", "1s", "--wait");
        box.Ok("restore", lastWriterSnapshot!, "--target", box.Path("out"));
        TreeCompare.AssertSameContent(writer, box.Path("out") + writer);
        box.Ok("check", "--read-data");
    }
}
