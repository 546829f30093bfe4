using System.Text.Json.Nodes;
using Offsite.Core.Backup;
using Offsite.Posix;

namespace Offsite.Cli;

/// <summary>`backup --stage-times`: the CPU by stage, and what the process used in all (the rest is start-up, key, runtime, GC, trees, files cache).</summary>
internal static class StageTimesOutput
{
    public static JsonObject Json(StageTimes stages)
    {
        var json = new JsonObject();
        foreach (var (stage, seconds) in stages.Seconds())
        {
            json[JsonName(stage)] = Math.Round(seconds, 3);
        }
        json["process"] = Math.Round(ThreadClock.ProcessCpuNanoseconds() / 1e9, 3);
        return json;
    }

    public static string Line(StageTimes stages)
    {
        var parts = stages.Seconds().Select(s => $"{Label(s.Stage)} {s.Seconds:0.00}");
        double process = ThreadClock.ProcessCpuNanoseconds() / 1e9;
        double staged = stages.Seconds().Sum(s => s.Seconds);
        return $"CPU seconds by stage: {string.Join(", ", parts)}; other {Math.Max(0, process - staged):0.00} (start-up, key, runtime, GC, trees, files cache); process {process:0.00}";
    }

    private static string JsonName(BackupStage stage)
    {
        string name = stage.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    private static string Label(BackupStage stage) => stage switch
    {
        BackupStage.LoadIndex => "load index",
        _ => stage.ToString().ToLowerInvariant(),
    };
}
