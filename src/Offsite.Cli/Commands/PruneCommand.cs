using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Prune;

namespace Offsite.Cli.Commands;

/// <summary>`offsite prune`: delete data no snapshot uses, in two phases (docs/format.md, "Forget and prune").</summary>
public static class PruneCommand
{
    public static Command Create()
    {
        var settings = new PruneSettings();
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "print what would be condemned, repacked and deleted, and the bytes freed; change nothing" };
        var command = new Command("prune", "remove data no snapshot uses: condemn it now, delete it after the grace period (next prune, or --wait)") { dryRun };
        settings.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var options = settings.ToOptions(r, r.GetValue(dryRun), s.Quiet || s.Json ? null : new Progress<string>(m => Console.Error.WriteLine(m)));
            var report = await PruneSettings.RunAsync(repo, options, ct).ConfigureAwait(false);
            Render(report, s);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static void Render(PruneReport report, GlobalSettings s)
    {
        if (s.Json)
        {
            Output.Json(new JsonObject
            {
                ["dryRun"] = report.DryRun, ["snapshots"] = report.Snapshots, ["blobs"] = report.Blobs, ["usedBlobs"] = report.UsedBlobs,
                ["packs"] = report.Packs, ["storedBytes"] = report.StoredBytes,
                ["deletedPacks"] = report.DeletedPacks, ["deletedBytes"] = report.DeletedBytes, ["rescuedPacks"] = report.RescuedPacks,
                ["indexesRewritten"] = report.IndexesRewritten,
                ["condemnedPacks"] = report.CondemnedPacks, ["condemnedBytes"] = report.CondemnedBytes,
                ["repackedPacks"] = report.RepackedPacks, ["repackedBytes"] = report.RepackedBytes, ["repackFreesBytes"] = report.RepackFreesBytes,
                ["generation"] = report.Generation, ["deleteAfter"] = report.DeleteAfter?.ToString("O"),
                ["pendingPacks"] = report.PendingPacks, ["nextDeleteAfter"] = report.NextDeleteAfter?.ToString("O"),
                ["locked"] = new JsonArray(report.Locked.Select(l => (JsonNode)new JsonObject { ["key"] = l.Key, ["until"] = l.Until.ToString("O") }).ToArray()),
                ["notes"] = new JsonArray(report.Notes.Select(n => (JsonNode?)n).ToArray()),
            });
            return;
        }
        string would = report.DryRun ? "would " : "";
        CommandRunner.Info(s, $"{Output.Count(report.Snapshots, "snapshot")} {(report.Snapshots == 1 ? "uses" : "use")} {report.UsedBlobs} of {Output.Count(report.Blobs, "blob")} in {Output.Count(report.Packs, "pack")} ({Output.Bytes(report.StoredBytes)})");
        if (report.SweptGenerations > 0)
        {
            CommandRunner.Info(s, $"{would}delete {report.DeletedPacks} condemned packs ({Output.Bytes(report.DeletedBytes)}), {report.RescuedPacks} rescued (a newer snapshot uses them)");
        }
        if (report.CondemnedPacks > 0)
        {
            CommandRunner.Info(s, $"{would}condemn {report.CondemnedPacks} packs ({Output.Bytes(report.CondemnedBytes)}), {report.RepackedPacks} of them after repacking their used data ({Output.Bytes(report.RepackedBytes)} read, {Output.Bytes(report.RepackFreesBytes)} of garbage in them)");
            if (report.DeleteAfter is { } after && !report.DryRun)
            {
                CommandRunner.Info(s, $"they are deleted by the first prune after {Output.Time(after)}");
            }
        }
        CommandRunner.Info(s, $"{(report.DryRun ? "would free" : "freed")} {Output.Bytes(report.DryRun ? report.FreedOrToFreeBytes : report.DeletedBytes)}");
        if (report.PendingPacks > 0 && report.NextDeleteAfter is { } next)
        {
            CommandRunner.Info(s, $"{report.PendingPacks} condemned packs wait for deletion (next at {Output.Time(next)})");
        }
        foreach (var (key, until) in report.Locked)
        {
            Console.Error.WriteLine($"object lock: {key} is retained until {until:u}; it is deleted by the first prune after that");
        }
        foreach (string note in report.Notes)
        {
            Console.Error.WriteLine($"note: {note}");
        }
    }
}
