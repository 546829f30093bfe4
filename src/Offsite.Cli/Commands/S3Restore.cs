using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.App.Restore;
using Offsite.App.Sources.S3;
using Offsite.Core.Errors;
using Offsite.Sources.S3;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>offsite restore ID --to s3:https://host/bucket[/prefix] [--only-missing|--overwrite]</c>: uploads a
/// snapshot's files into a bucket with their metadata; the bucket's credentials come from the
/// OFFSITE_SOURCE_S3_* variables (docs/sources/s3.md).
/// </summary>
public sealed class S3Restore
{
    public Option<bool> OnlyMissing { get; } = new("--only-missing") { Description = "S3: upload only keys that do not exist in the target yet" };
    /// <summary>The restore command's one <c>--overwrite</c>, shared with Docker volumes (<see cref="RestoreOverwrite"/>).</summary>

    public void AddTo(Command command) => command.Options.Add(OnlyMissing);

    /// <summary>True when <c>--to</c> names a bucket.</summary>
    public static bool Handles(string? to) => to is not null && S3BucketConnection.IsBucketUrl(to);

    public IRestoreTarget Target(ParseResult r, string url) =>
        new S3TargetOptions { Url = url, OnlyMissing = r.GetValue(OnlyMissing), Overwrite = RestoreOverwrite.AlwaysForBucketOrVolume(r) }.Create(CliEnvironment.Get);

    public static async Task<int> RunAsync(ParseResult r, GlobalSettings s, SnapshotOptions filters, string reference, IRestoreTarget target, CancellationToken ct)
    {
        var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
        var (sn, report) = await RestoreService.RestoreAsync(repo, reference, filters.Filter(r), target, ct).ConfigureAwait(false);
        var o = (S3RestoreOutcome)report.Details!;
        foreach (string error in o.Errors)
        {
            Console.Error.WriteLine($"error: {error}");
        }
        if (s.Json)
        {
            Output.Json(new JsonObject
            {
                ["snapshot"] = sn.Id, ["target"] = target.Display, ["uploaded"] = o.Uploaded, ["skipped"] = o.Skipped, ["bytes"] = o.Bytes,
                ["noncurrentLeftOut"] = o.NoncurrentLeftOut, ["errors"] = new JsonArray(o.Errors.Select(e => (JsonNode?)e).ToArray()),
                ["seconds"] = Math.Round(report.Seconds, 3),
            });
        }
        else
        {
            string skipped = o.Skipped > 0 ? $", {o.Skipped} existing key(s) left as they were" : "";
            string noncurrent = o.NoncurrentLeftOut > 0 ? $", {o.NoncurrentLeftOut} noncurrent version(s) not restored" : "";
            CommandRunner.Info(s, $"restored snapshot {sn.Id[..8]} into {target.Display}: {Output.Count(o.Uploaded, "object")}, {Output.Bytes(o.Bytes)}{skipped}{noncurrent} in {report.Seconds:0.0}s");
        }
        if (!report.Complete)
        {
            return CommandRunner.Fail(ExitCodes.PartialRestore, $"{o.Errors.Count} object(s) could not be restored (listed above); everything else was uploaded");
        }
        return ExitCodes.Ok;
    }

    /// <summary>The command line's --only-missing/--overwrite over a job's declared bucket target.</summary>
    public void ApplyTo(ParseResult r, RestoreTargetOptions declared)
    {
        if (declared is S3TargetOptions bucket && (r.GetValue(OnlyMissing) || RestoreOverwrite.Get(r) is not null))
        {
            bucket.OnlyMissing = r.GetValue(OnlyMissing);
            bucket.Overwrite = RestoreOverwrite.AlwaysForBucketOrVolume(r);
        }
    }

    /// <summary>Refuses --only-missing and --overwrite together, --only-missing with a target that is not a bucket,
    /// and --overwrite with one that is neither a bucket, a Docker volume nor a directory.</summary>
    public void Check(ParseResult r, bool toBucket, bool toVolume, bool toDirectory)
    {
        bool onlyMissing = r.GetValue(OnlyMissing), overwrite = RestoreOverwrite.Get(r) is not null;
        if (onlyMissing && overwrite)
        {
            throw new OffsiteException(ErrorKind.Usage, "--only-missing and --overwrite exclude each other");
        }
        if (!toBucket && onlyMissing)
        {
            throw new OffsiteException(ErrorKind.Usage, "--only-missing applies to a restore into a bucket (--to s3:…)");
        }
        if (!toBucket && !toVolume && !toDirectory && overwrite)
        {
            throw new OffsiteException(ErrorKind.Usage, "--overwrite applies to a restore into a directory (--target), a bucket (--to s3:…) or a Docker volume (--to docker-volume:…)");
        }
    }
}
