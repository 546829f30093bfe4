using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.App.Jobs;

namespace Offsite.Cli.Commands;

/// <summary><c>offsite run JOB</c>: one job of the config file, hooks included; the exit code says how it went.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var job = new Argument<string>("job") { Description = "the job's name in the config file" };
        var command = new Command("run", "run one job of the config file now (before hook, backup of each source, after hook)") { job };
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var config = s.LoadConfig(required: true)!;
            string name = r.GetValue(job)!;
            var runner = new JobRunner(config, CommandRunner.Opener(), s.NoCache ? null : s.CacheDir ?? CliEnvironment.DefaultCacheDirectory(), CliEnvironment.Get);
            var observer = new CliBackupObserver(s, streamLines: true, failuresInVerdict: true);
            var result = await runner.RunAsync(name, observer, null, ct).ConfigureAwait(false);
            if (s.Json)
            {
                Output.Json(new JsonObject
                {
                    ["job"] = name, ["ok"] = result.Succeeded, ["error"] = result.Error, ["seconds"] = Math.Round(result.Duration.TotalSeconds, 3),
                    ["snapshots"] = observer.Results.DeepClone(),
                });
            }
            if (!result.Succeeded)
            {
                return CommandRunner.Fail(ExitCodes.For(result.ErrorKind!.Value), $"job {name} failed: {result.Error}");
            }
            CommandRunner.Info(s, $"job {name}: {result.Snapshots.Count} snapshot(s) saved in {result.Duration.TotalSeconds:0.0}s");
            return ExitCodes.Ok;
        });
        return command;
    }
}
