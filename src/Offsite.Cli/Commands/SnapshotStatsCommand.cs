using System.Text.Json.Nodes;
using Offsite.App.Snapshots;

namespace Offsite.Cli.Commands;

/// <summary>`stats --mode …` (or `stats SNAPSHOT…`): restic's per-snapshot figures.</summary>
public static class SnapshotStatsCommand
{
    public static async Task<int> RunAsync(GlobalSettings s, IReadOnlyList<string> references, SnapshotFilter filter, string modeText, CancellationToken ct)
    {
        var mode = SnapshotStatistics.ParseMode(modeText);
        var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
        var snapshots = await SnapshotQuery.SelectAsync(repo, references, filter, ct).ConfigureAwait(false);
        await repo.LoadIndexAsync(ct).ConfigureAwait(false);
        var result = await SnapshotStatistics.ComputeAsync(repo, snapshots, mode, ct).ConfigureAwait(false);
        if (s.Json)
        {
            var json = new JsonObject { ["statsMode"] = modeText, ["snapshots"] = result.Snapshots };
            if (mode == StatsMode.RawData)
            {
                json["blobs"] = result.Blobs;
                json["bytes"] = result.Bytes;
                json["storedBytes"] = result.StoredBytes;
            }
            else
            {
                json["files"] = result.Files;
                json["bytes"] = result.Bytes;
            }
            Output.Json(json);
            return ExitCodes.Ok;
        }
        Console.WriteLine($"stats in {modeText} mode for {(result.Snapshots == 1 ? "1 snapshot" : $"{result.Snapshots} snapshots")}:");
        if (mode == StatsMode.RawData)
        {
            Console.WriteLine($"  blobs:        {result.Blobs}");
            Console.WriteLine($"  total size:   {Output.Bytes(result.Bytes)} ({result.Bytes} bytes, unpacked)");
            Console.WriteLine($"  stored size:  {Output.Bytes(result.StoredBytes)} ({result.StoredBytes} bytes, compressed)");
        }
        else
        {
            Console.WriteLine($"  files:        {result.Files}");
            Console.WriteLine($"  total size:   {Output.Bytes(result.Bytes)} ({result.Bytes} bytes)");
        }
        return ExitCodes.Ok;
    }
}
