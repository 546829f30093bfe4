using System.CommandLine;
using Offsite.Core.Repository;

namespace Offsite.Cli.Commands;

public static class InitCommand
{
    public static Command Create()
    {
        var packSize = new Option<int?>("--pack-size") { Description = "target pack size in MiB (default 16)" };
        var expireDays = new Option<int?>("--lifecycle-expire-days") { Description = "lifecycle retention: the bucket deletes packs, indexes and snapshots after E days (see docs/s3.md)" };
        var refreshDays = new Option<int?>("--refresh-days") { Description = "lifecycle retention: never reuse data older than R days; snapshots stay valid E − R days" };
        var daySeconds = new Option<int?>("--lifecycle-day-seconds") { Description = "length of a lifecycle day (testing against servers with a fast lifecycle clock)", Hidden = true };
        var command = new Command("init", "create a new repository") { packSize, expireDays, refreshDays, daySeconds };
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var config = new RepositoryConfig();
            if (r.GetValue(packSize) is int mib)
            {
                config.PackSize = mib * 1024 * 1024;
            }
            // With --job, the repository's lifecycle: section of the config gives the defaults.
            var lifecycle = s.JobRepository()?.Lifecycle;
            if ((r.GetValue(expireDays) ?? lifecycle?.ExpireDays) is int e)
            {
                config.Retention = new RetentionConfig
                {
                    ExpireDays = e,
                    RefreshDays = r.GetValue(refreshDays) ?? lifecycle?.RefreshDays ?? throw new Offsite.Core.Errors.OffsiteException(Offsite.Core.Errors.ErrorKind.Usage,
                        "--lifecycle-expire-days needs --refresh-days: without a refresh horizon the bucket would delete data that new snapshots still use"),
                    DaySeconds = r.GetValue(daySeconds) ?? 86400,
                };
                config.Retention.Validate();
            }
            else if (r.GetValue(refreshDays) is not null)
            {
                throw new Offsite.Core.Errors.OffsiteException(Offsite.Core.Errors.ErrorKind.Usage, "--refresh-days only applies with --lifecycle-expire-days");
            }
            var open = await CommandRunner.Opener(confirmPrompt: true).InitAsync(s.RepositorySpec(), config, Secrets.Prompt(confirm: true), ct).ConfigureAwait(false);
            CommandRunner.Track(open);
            var repo = open.Repository;
            var storage = open.Storage;
            if (s.Json)
            {
                Output.Json(new System.Text.Json.Nodes.JsonObject { ["id"] = repo.Config.Id, ["location"] = storage.Location, ["recipient"] = repo.Config.Recipient });
            }
            CommandRunner.Info(s, $"created repository {repo.Config.Id[..8]} at {storage.Location}");
            CommandRunner.Info(s, "Keep the passphrase safe: without it (or an exported key) the data cannot be recovered.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
