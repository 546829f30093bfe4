using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Errors;
using Offsite.Core.Prune;

namespace Offsite.Cli.Commands;

/// <summary>`offsite lock refresh`: extend Object Lock retention on everything the kept snapshots need.</summary>
public static class LockCommand
{
    public static Command Create()
    {
        var days = new Option<int?>("--days") { Description = "new retention from now, in days (default: --lock-days / OFFSITE_LOCK_DAYS)" };
        var before = new Option<int?>("--refresh-before-days") { Description = "extend objects with less than this many days left (default: a third of --days)" };
        var refresh = new Command("refresh", "extend Object Lock retention on config, keys, snapshots, indexes and the packs they use") { days, before };
        CommandRunner.SetAction(refresh, async (r, s, ct) =>
        {
            int lockDays = r.GetValue(days) ?? (s.S3.LockDays is > 0 ? s.S3.LockDays.Value
                : int.TryParse(Environment.GetEnvironmentVariable("OFFSITE_LOCK_DAYS"), out int d) ? d : 0);
            if (lockDays < 1)
            {
                throw new OffsiteException(ErrorKind.Usage, "lock refresh needs --days N (or --lock-days / OFFSITE_LOCK_DAYS)");
            }
            int beforeDays = r.GetValue(before) ?? Math.Max(1, lockDays / 3);
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var report = await RetentionRefresher.RunAsync(repo, TimeSpan.FromDays(lockDays), TimeSpan.FromDays(beforeDays), TimeProvider.System,
                s.Quiet || s.Json ? null : new Progress<string>(m => Console.Error.WriteLine(m)), ct).ConfigureAwait(false);
            if (s.Json)
            {
                Output.Json(new JsonObject { ["checked"] = report.Checked, ["extended"] = report.Extended, ["until"] = report.Until.ToString("O"), ["earliest"] = report.EarliestAfter?.ToString("O") });
            }
            else
            {
                CommandRunner.Info(s, $"checked {Output.Count(report.Checked, "object")}, extended {report.Extended} to {report.Until:u}" +
                    (report.EarliestAfter is { } e ? $"; every needed object is now retained until at least {e:u}" : ""));
            }
            return ExitCodes.Ok;
        });
        return new Command("lock", "Object Lock maintenance") { refresh };
    }
}
