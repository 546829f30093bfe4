using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Copy;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;

namespace Offsite.Cli.Commands;

/// <summary>
/// `offsite copy --to LOCATION`: makes a second location hold the same repository (an object-level
/// mirror, docs/format.md "Copies"). Without snapshot filters it copies everything and needs no key;
/// with --snapshot/--source/--host/--tag it copies only those snapshots and needs the identity.
/// </summary>
public static class CopyCommand
{
    public static Command Create()
    {
        var to = new Option<string>("--to") { Description = "where the copy goes: a directory, s3:https://host/bucket/prefix or s3://bucket/prefix", Required = true };
        var snapshots = new Option<string[]>("--snapshot") { Description = "copy only this snapshot (id, prefix or 'latest'; repeatable); needs the identity" };
        var toEndpoint = new Option<string?>("--to-s3-endpoint") { Description = "S3 endpoint of an s3://bucket/prefix target (else the endpoint in its URL)" };
        var toRegion = new Option<string?>("--to-s3-region") { Description = "S3 region of the target (default: --s3-region)" };
        var toProfile = new Option<string?>("--to-s3-profile") { Description = "AWS profile holding the target's credentials (the source uses the environment or --s3-profile)" };
        var filters = new SnapshotOptions();
        var command = new Command("copy", "copy this repository's snapshots into a second location, incrementally, verifying every object")
        {
            to, snapshots, toEndpoint, toRegion, toProfile,
        };
        filters.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var targetS3 = new S3Settings(r.GetValue(toEndpoint), r.GetValue(toRegion) ?? s.S3.Region, s.S3.PathStyle, r.GetValue(toProfile), s.S3.ObjectLock, s.S3.LockDays)
            {
                StorageClass = s.S3.StorageClass,
            };
            await using var target = CommandRunner.Opener().OpenStorage((s with { Repository = r.GetValue(to), S3 = targetS3 }).RepositorySpec());
            await using var source = CommandRunner.Opener().OpenStorage(s.RepositorySpec());
            if (source.Location == target.Location)
            {
                throw new OffsiteException(ErrorKind.Usage, "--to names the repository itself");
            }
            var copier = new RepositoryCopier(source, target, Progress(s));
            var filter = filters.Filter(r).ToCore();
            string[] wanted = r.GetValue(snapshots) ?? [];
            CopyReport report;
            if (wanted.Length > 0 || filter != new SnapshotFinder.Filter())
            {
                var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
                var selected = await SelectAsync(repo, wanted, filter, ct).ConfigureAwait(false);
                report = await copier.CopySnapshotsAsync(repo, selected, ct).ConfigureAwait(false);
            }
            else
            {
                // No key is needed to mirror; one that can read lets data packs get --storage-class.
                Repository? repo = HasKey(s) ? await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false) : null;
                if (targetS3.StorageClass is not null && repo?.Key.CanRead != true)
                {
                    throw new OffsiteException(ErrorKind.KeyCannotRead,
                        "--storage-class on a copy needs the identity: only the index tells data packs from tree packs (which stay STANDARD); give a key, or copy without --storage-class");
                }
                report = await copier.MirrorAsync(repo, ct).ConfigureAwait(false);
            }
            return Render(s, target.Location, report);
        });
        return command;
    }

    private static async Task<List<Snapshot>> SelectAsync(Repository repo, string[] wanted, SnapshotFinder.Filter filter, CancellationToken ct)
    {
        var valid = await repo.ListSnapshotsAsync(ct).ConfigureAwait(false);
        if (wanted.Length == 0)
        {
            var matching = valid.Where(filter.Matches).ToList();
            return matching.Count > 0 ? matching : throw new OffsiteException(ErrorKind.NotFound, "no snapshot matches the filters");
        }
        return wanted.Select(w => SnapshotFinder.Find(valid, w, filter)).DistinctBy(sn => sn.Id).ToList();
    }

    private static bool HasKey(GlobalSettings s) =>
        new[] { s.KeyFile, s.KeyCommand, s.PasswordFile, s.PasswordCommand }.Any(v => !string.IsNullOrEmpty(v))
        || new[] { "OFFSITE_KEY_FILE", "OFFSITE_KEY_COMMAND", "OFFSITE_PASSWORD_FILE", "OFFSITE_PASSWORD_COMMAND", "OFFSITE_PASSWORD" }
            .Any(n => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(n)));

    private static Action<CopyProgress>? Progress(GlobalSettings s)
    {
        if (s.Quiet || s.Json || Console.IsErrorRedirected)
        {
            return null;
        }
        var gate = new Lock();
        return p =>
        {
            lock (gate)
            {
                Console.Error.Write($"\r\u001b[Kcopying {p.Phase}: {p.ObjectsDone}/{p.ObjectsTotal}, {Output.Bytes(p.BytesDone)}");
                if (p.ObjectsDone == p.ObjectsTotal)
                {
                    Console.Error.Write("\r\u001b[K");
                }
            }
        };
    }

    private static int Render(GlobalSettings s, string target, CopyReport report)
    {
        foreach (var (key, reason) in report.Damaged)
        {
            Console.Error.WriteLine($"error: source {key}: {reason}");
        }
        foreach (var (key, storageClass) in report.Archived)
        {
            Console.Error.WriteLine($"error: source {key} is archived ({storageClass}): retrieve it first (restore --retrieval-tier …), then copy again");
        }
        foreach (string p in report.Problems)
        {
            Console.Error.WriteLine($"error: {p}");
        }
        foreach (var (id, reason) in report.SkippedSnapshots)
        {
            Console.Error.WriteLine($"error: snapshot {id[..8]} not copied: {reason}");
        }
        if (s.Json)
        {
            var damaged = new JsonObject();
            foreach (var (key, reason) in report.Damaged) damaged[key] = reason;
            var archived = new JsonObject();
            foreach (var (key, c) in report.Archived) archived[key] = c;
            var skipped = new JsonObject();
            foreach (var (id, reason) in report.SkippedSnapshots) skipped[id] = reason;
            Output.Json(new JsonObject
            {
                ["target"] = target, ["ok"] = report.Ok, ["copied"] = report.Copied, ["bytesCopied"] = report.BytesCopied,
                ["alreadyThere"] = report.AlreadyThere, ["vanished"] = report.Vanished,
                ["snapshots"] = new JsonArray(report.Snapshots.Select(x => (JsonNode?)x).ToArray()),
                ["damaged"] = damaged, ["archived"] = archived, ["skippedSnapshots"] = skipped,
                ["problems"] = new JsonArray(report.Problems.Select(x => (JsonNode?)x).ToArray()),
            });
        }
        else
        {
            CommandRunner.Info(s, $"copied {Output.Count(report.Copied, "object")} ({Output.Bytes(report.BytesCopied)}) to {target}, {report.AlreadyThere} already there; it holds {report.Snapshots.Count} of the copied snapshots");
        }
        if (report.Archived.Count > 0)
        {
            return CommandRunner.Fail(ExitCodes.Archived, $"{report.Archived.Count} source object(s) are archived and were not copied; retrieve them and run the copy again (it resumes)");
        }
        if (!report.Ok)
        {
            return CommandRunner.Fail(ExitCodes.RepositoryDamaged,
                $"{report.Damaged.Count} damaged source object(s) were not copied, {report.SkippedSnapshots.Count} snapshot(s) skipped (listed above); everything intact was copied");
        }
        return ExitCodes.Ok;
    }
}
