using System.CommandLine;
using Offsite.Core.Errors;
using Offsite.Storage.S3;

namespace Offsite.Cli.Commands;

/// <summary>
/// `offsite bucket setup`: versioning, Object Lock default retention and lifecycle rules for the
/// repository's bucket, and least-privilege policies for the backup, restore and janitor roles.
/// Refuses settings that cannot be safe (exit code 2) with the reason.
/// </summary>
public static class BucketCommand
{
    public static Command Create()
    {
        var print = new Option<bool>("--print") { Description = "print the configuration and IAM policies as JSON instead of applying them" };
        var interval = new Option<int>("--backup-interval-days") { Description = "how often backups run, in days (default 1)", DefaultValueFactory = _ => 1 };
        var expire = new Option<int?>("--expire-days") { Description = "lifecycle rule: delete objects this many days after they were written (needs --refresh-days)" };
        var refresh = new Option<int?>("--refresh-days") { Description = "refresh horizon: backups never reference data older than this (required with --expire-days)" };
        var noncurrent = new Option<int>("--noncurrent-days") { Description = "keep overwritten or deleted versions this many days (default 30)", DefaultValueFactory = _ => 30 };
        var dedupRemote = new Option<bool>("--dedup-remote") { Description = "the backup host may also read and list the bucket, to dedup against the whole repository" };
        var transitionDays = new Option<int?>("--transition-days") { Description = "lifecycle rule: move data packs (never metadata or tree packs) to --transition-class this many days after they were written" };
        var transitionClass = new Option<string?>("--transition-class") { Description = "the storage class data packs move to: STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE" };
        var setup = new Command("setup", "create and configure the repository's S3 bucket (or --print the configuration and IAM policies)")
        {
            print, interval, expire, refresh, noncurrent, dedupRemote, transitionDays, transitionClass,
        };
        CommandRunner.SetAction(setup, async (r, s, ct) =>
        {
            var spec = s.RepositorySpec();
            string location = spec.Location.Length > 0 ? spec.Location
                : throw new OffsiteException(ErrorKind.Usage, "no repository given: use -r s3:https://host/bucket/prefix or set OFFSITE_REPOSITORY");
            if (!S3Url.IsS3(location))
            {
                throw new OffsiteException(ErrorKind.Usage, $"bucket setup needs an S3 repository (s3:…), not {location}");
            }
            var options = spec.S3.ToOptions(location, CliEnvironment.Runtime.Clock, CliEnvironment.Runtime.Logger);
            var settings = new BucketSettings
            {
                Bucket = options.Bucket,
                Prefix = options.NormalizedPrefix,
                Lock = options.ObjectLock,
                LockDays = options.LockDays,
                BackupIntervalDays = r.GetValue(interval),
                ExpireDays = r.GetValue(expire),
                RefreshDays = r.GetValue(refresh),
                NoncurrentDays = r.GetValue(noncurrent),
                DedupRemote = r.GetValue(dedupRemote),
                TransitionDays = r.GetValue(transitionDays),
                TransitionClass = r.GetValue(transitionClass)?.ToUpperInvariant(),
            };
            var problems = settings.Problems();
            if (problems.Count > 0)
            {
                foreach (string p in problems)
                {
                    Console.Error.WriteLine($"offsite: unsafe bucket settings: {p}");
                }
                return ExitCodes.Usage;
            }
            if (settings.ExpireDays is not null)
            {
                Console.Error.WriteLine(
                    $"warning: the expiry rule deletes objects {settings.ExpireDays} days after they were written whether or not snapshots still use them; " +
                    $"create the repository with `offsite init --lifecycle-expire-days {settings.ExpireDays} --refresh-days {settings.RefreshDays}` so backups never reuse older data. See docs/s3.md.");
            }
            if (settings.TransitionDays is not null)
            {
                Console.Error.WriteLine(
                    $"note: the transition rule matches data packs by their tag {S3Options.DataPackTag}, which backups add when run with --storage-class " +
                    "(STANDARD to keep new packs hot until the rule moves them). See docs/s3.md, \"Storage classes\".");
            }
            if (r.GetValue(print))
            {
                Output.Json(BucketPlan.ToJson(settings));
                return ExitCodes.Ok;
            }
            using var client = S3ClientFactory.Create(options);
            var done = await new BucketConfigurator(client).ApplyAsync(settings, ct).ConfigureAwait(false);
            if (s.Json)
            {
                var plan = BucketPlan.ToJson(settings);
                plan["applied"] = new System.Text.Json.Nodes.JsonArray([.. done.Select(d => (System.Text.Json.Nodes.JsonNode)d)]);
                Output.Json(plan);
            }
            foreach (string line in done)
            {
                CommandRunner.Info(s, $"{options.Bucket}: {line}");
            }
            CommandRunner.Info(s, "Give each host only its role's policy: `offsite bucket setup --print` shows them (backup, restore, janitor, copy).");
            return ExitCodes.Ok;
        });
        return new Command("bucket", "S3 bucket administration") { setup };
    }
}
