using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Check;

namespace Offsite.Cli.Commands;

public static class CheckCommand
{
    public static Command Create()
    {
        var readData = new Option<bool>("--read-data") { Description = "download and verify every pack and blob (slow, thorough)" };
        var command = new Command("check", "verify the repository's integrity") { readData };
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var report = await new Checker(repo).RunAsync(r.GetValue(readData), ct).ConfigureAwait(false);
            if (s.Json)
            {
                var damaged = new JsonObject();
                foreach (var (pack, reason) in report.DamagedPacks) damaged[pack] = reason;
                Output.Json(new JsonObject
                {
                    ["ok"] = report.Ok, ["snapshots"] = report.Snapshots, ["packs"] = report.Packs, ["blobsRead"] = report.BlobsRead,
                    ["errors"] = new JsonArray(report.Errors.Select(e => (JsonNode?)e).ToArray()),
                    ["warnings"] = new JsonArray(report.Warnings.Select(e => (JsonNode?)e).ToArray()),
                    ["damagedPacks"] = damaged,
                    ["affectedSnapshots"] = new JsonArray(report.AffectedSnapshots.Select(e => (JsonNode?)e).ToArray()),
                    ["archivedPacks"] = Archived(report),
                });
            }
            else
            {
                foreach (string w in report.Warnings) Console.Error.WriteLine($"warning: {w}");
                foreach (var (pack, storageClass) in report.ArchivedPacks) Console.Error.WriteLine($"archived: pack {pack} ({storageClass}): not readable yet, not checked");
                foreach (string e in report.Errors) Console.Error.WriteLine($"error: {e}");
                if (report.AffectedSnapshots.Count > 0)
                {
                    Console.Error.WriteLine($"affected snapshots: {string.Join(" ", report.AffectedSnapshots)}");
                }
                CommandRunner.Info(s, $"checked {Output.Count(report.Snapshots, "snapshot")}, {Output.Count(report.Packs, "pack")}{(r.GetValue(readData) ? $", {Output.Count(report.BlobsRead, "blob")} read" : "")}: {(report.Ok ? "no errors" : Output.Count(report.Errors.Count, "error"))}");
            }
            return report.Ok ? ExitCodes.Ok : CommandRunner.Fail(ExitCodes.RepositoryDamaged, "the repository is damaged (see errors above)");
        });
        return command;
    }

    private static JsonObject Archived(CheckReport report)
    {
        var archived = new JsonObject();
        foreach (var (pack, storageClass) in report.ArchivedPacks) archived[pack] = storageClass;
        return archived;
    }
}
