using System.CommandLine;
using System.Text.Json.Nodes;

namespace Offsite.Cli.Commands;

public static class StatsCommand
{
    public static Command Create()
    {
        var ids = new Argument<string[]>("snapshot") { Description = "snapshot ids or 'latest' (with --mode; default: every snapshot the filters match)", Arity = ArgumentArity.ZeroOrMore };
        var mode = new Option<string?>("--mode") { Description = "restore-size (what a restore writes), files-by-contents (distinct files), raw-data (distinct blobs, unpacked and stored); without it and without snapshots: repository figures" };
        mode.AcceptOnlyFromAmong("restore-size", "files-by-contents", "raw-data");
        var filters = new SnapshotOptions();
        var command = new Command("stats", "repository size, dedup and compression figures, or restic's stats modes for snapshots") { ids, mode };
        filters.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var references = r.GetValue(ids) ?? [];
            var filter = filters.Filter(r);
            if (r.GetValue(mode) is not null || references.Length > 0 || filter != Offsite.App.Snapshots.SnapshotFilter.None)
            {
                return await SnapshotStatsCommand.RunAsync(s, references, filter, r.GetValue(mode) ?? "restore-size", ct).ConfigureAwait(false);
            }
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            await repo.LoadIndexAsync(ct).ConfigureAwait(false);
            var snapshots = await repo.ListSnapshotsAsync(ct).ConfigureAwait(false);
            var packs = repo.Index.Packs;
            long stored = packs.Sum(p => p.Size);
            long raw = packs.Sum(p => p.Entries.Sum(e => (long)e.RawLength));
            long blobs = packs.Sum(p => p.Entries.Count);
            long logical = snapshots.Sum(sn => sn.Stats.Bytes);
            if (s.Json)
            {
                Output.Json(new JsonObject
                {
                    ["snapshots"] = snapshots.Count, ["packs"] = packs.Count, ["blobs"] = blobs,
                    ["storedBytes"] = stored, ["uniqueBytes"] = raw, ["snapshotBytes"] = logical,
                });
                return ExitCodes.Ok;
            }
            Console.WriteLine($"snapshots:           {snapshots.Count}");
            Console.WriteLine($"packs:               {packs.Count}");
            Console.WriteLine($"blobs:               {blobs}");
            Console.WriteLine($"stored size:         {Output.Bytes(stored)}");
            Console.WriteLine($"unique data:         {Output.Bytes(raw)}");
            Console.WriteLine($"sum of snapshots:    {Output.Bytes(logical)}");
            if (stored > 0)
            {
                Console.WriteLine($"dedup+compression:   {(double)logical / stored:0.00}x");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
