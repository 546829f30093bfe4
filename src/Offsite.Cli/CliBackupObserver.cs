using System.Text.Json.Nodes;
using Offsite.App.Backup;
using Offsite.Core.Archiver;
using Offsite.Cli.Commands;
using Offsite.Core.Snapshots;

namespace Offsite.Cli;

/// <summary>Renders a backup on the terminal: a progress line while it runs, one line per snapshot, warnings on stderr.</summary>
/// <param name="failuresInVerdict">
/// true for <c>offsite run</c>: the job's closing line ("job NAME failed: …") carries every source failure, so
/// a failure is not printed a second time as it happens (the issue's "one clear line").
/// </param>
public sealed class CliBackupObserver(GlobalSettings settings, bool streamLines, bool failuresInVerdict = false) : IBackupObserver
{
    private ProgressLine? _progress;

    public JsonArray Results { get; } = new();

    public void Started(string sourceName, BackupProgress progress)
    {
        _progress?.Dispose();
        _progress = ProgressLine.Start(settings, progress);
    }

    public void Saved(Snapshot snapshot, BackupProgress progress)
    {
        _progress?.Dispose();
        _progress = null;
        var st = snapshot.Stats;
        var json = new JsonObject
        {
            ["message_type"] = "summary",
            ["snapshot"] = snapshot.Id, ["source"] = snapshot.Source, ["file"] = streamLines ? snapshot.Paths.FirstOrDefault() : null,
            ["files"] = st.Files, ["dirs"] = st.Directories, ["bytes"] = st.Bytes, ["newBlobs"] = st.NewBlobs,
            ["addedBytes"] = st.AddedBytes, ["addedStoredBytes"] = st.AddedStoredBytes, ["seconds"] = st.DurationSeconds,
            ["reusedBytes"] = progress.ReusedBytes,
            ["warnings"] = progress.Warnings.Count, ["parent"] = progress.ParentSnapshot,
        };
        if (!streamLines)
        {
            Output.AddCounts(json, progress.Entries);
        }
        if (progress.Stages is { } stages)
        {
            json["stageCpuSeconds"] = StageTimesOutput.Json(stages);
        }
        Results.Add(json);
        if (progress.Stages is { } measured)
        {
            CommandRunner.Info(settings, StageTimesOutput.Line(measured));
        }
        if (streamLines)
        {
            CommandRunner.Info(settings, $"{snapshot.Source}: snapshot {snapshot.Id[..8]} saved: {Output.Bytes(st.Bytes)} in {st.DurationSeconds:0.0}s, added {Output.Bytes(st.AddedBytes)} new data ({Output.Bytes(st.AddedStoredBytes)} stored)");
            return;
        }
        CommandRunner.Info(settings, $"snapshot {snapshot.Id[..8]} saved: {Output.Counts(progress.Entries)}, {Output.Bytes(st.Bytes)} in {st.DurationSeconds:0.0}s");
        CommandRunner.Info(settings, $"added {Output.Bytes(st.AddedBytes)} new data ({Output.Bytes(st.AddedStoredBytes)} stored), {Output.Count(progress.UnchangedFiles, "file")} unchanged");
        if (progress.ReusedBytes > 0)
        {
            CommandRunner.Info(settings, $"found {Output.Bytes(progress.ReusedBytes)} of the data read already in the repository (stored by an earlier or an interrupted backup)");
        }
    }

    public void DryRunDone(Snapshot snapshot, BackupProgress progress)
    {
        _progress?.Dispose();
        _progress = null;
        var st = snapshot.Stats;
        Results.Add(new JsonObject
        {
            ["message_type"] = "summary", ["dryRun"] = true, ["source"] = snapshot.Source, ["parent"] = progress.ParentSnapshot,
            ["files"] = st.Files, ["newFiles"] = progress.NewFiles, ["changedFiles"] = progress.ChangedFiles, ["unchangedFiles"] = progress.UnchangedFiles,
            ["dirs"] = st.Directories, ["bytes"] = st.Bytes, ["newBlobs"] = st.NewBlobs, ["addedBytes"] = st.AddedBytes, ["warnings"] = progress.Warnings.Count,
        });
        CommandRunner.Info(settings, $"dry run: {Output.Count(st.Files, "file")} ({progress.NewFiles} new, {progress.ChangedFiles} changed, {progress.UnchangedFiles} unchanged), {Output.Count(st.Directories, "dir")}, {Output.Bytes(st.Bytes)}");
        CommandRunner.Info(settings, $"would add {Output.Bytes(st.AddedBytes)} new data in {Output.Count(st.NewBlobs, "blob")} (before compression); nothing was written");
    }

    public void Note(string message) => CommandRunner.Info(settings, message);

    public void Warning(string message) => Console.Error.WriteLine($"warning: {message}");

    public void Failed(string sourceName, string message)
    {
        _progress?.Dispose();
        _progress = null;
        if (!failuresInVerdict) Console.Error.WriteLine($"offsite: {message}");
    }
}
