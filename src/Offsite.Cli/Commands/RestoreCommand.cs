using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.App.Config;
using Offsite.App.Restore;
using Offsite.Core.Errors;
using Offsite.Core.Restore;

namespace Offsite.Cli.Commands;

public static class RestoreCommand
{
    public static Command Create()
    {
        var snapshot = new Argument<string>("snapshot") { Description = "snapshot id (or unique prefix), or 'latest'" };
        var target = new Option<string>("--target", "-t") { Description = "directory to restore into" };
        var include = new Option<string[]>("--include", "-i") { Description = "restore only this path (and below); glob * ? allowed; repeatable" };
        var filters = new SnapshotOptions();
        var command = new Command("restore", "restore a snapshot into a directory") { snapshot, target, include };
        filters.AddTo(command);
        var postgres = new PostgresRestore();
        postgres.AddTo(command);
        var docker = new DockerRestore();
        docker.AddTo(command);
        var http = new HttpRestore();
        http.AddTo(command);
        var retrieval = new RetrievalOptions();
        retrieval.AddTo(command);
        var s3 = new S3Restore();
        s3.AddTo(command);
        command.Options.Add(RestoreOverwrite.Option);
        var allowSource = new Option<bool>(SourceTargetGuard.AllowOption) { Description = "restore into the directory the snapshot was taken from (or /), which is refused otherwise" };
        command.Options.Add(allowSource);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            s3.Check(r, S3Restore.Handles(r.GetValue(postgres.To)) || s.Job is not null, DockerRestore.Handles(r.GetValue(postgres.To)) || s.Job is not null, r.GetValue(postgres.To) is null);
            if ((r.GetValue(docker.RestoreCommand) ?? []) is [string program, ..] && !DockerRestore.Handles(r.GetValue(postgres.To)))
            {
                throw new OffsiteException(ErrorKind.Usage, $"'{program}': a command after -- goes with --to docker-exec:CONTAINER (the program that reads the dump)");
            }
            if (S3Restore.Handles(r.GetValue(postgres.To)))
            {
                PostgresRestore.RejectTarget(r.GetValue(target));
                return await S3Restore.RunAsync(r, s, filters, r.GetValue(snapshot)!, s3.Target(r, r.GetValue(postgres.To)!), ct).ConfigureAwait(false);
            }
            if (DockerRestore.Handles(r.GetValue(postgres.To)))
            {
                PostgresRestore.RejectTarget(r.GetValue(target));
                var dockerTarget = docker.TargetFor(r, r.GetValue(postgres.To)!, null, null, null);
                return await docker.RunAsync(r, s, filters, r.GetValue(snapshot)!, dockerTarget, ct).ConfigureAwait(false);
            }
            if (HttpRestore.Handles(r.GetValue(postgres.To)))
            {
                PostgresRestore.RejectTarget(r.GetValue(target));
                return await HttpRestore.RunAsync(r, s, filters, r.GetValue(snapshot)!, http.FromCommandLine(r, r.GetValue(postgres.To)!), ct).ConfigureAwait(false);
            }
            if (postgres.Handles(r))
            {
                PostgresRestore.RejectTarget(r.GetValue(target));
                return await postgres.RunAsync(r, s, filters, r.GetValue(snapshot)!, ct).ConfigureAwait(false);
            }
            IRestoreTarget restoreTarget;
            if (r.GetValue(target) is { } dir)
            {
                restoreTarget = new DirectoryTarget(dir, r.GetValue(include) ?? [], RestoreOverwrite.Get(r) ?? OverwritePolicy.IfChanged, refuseSourceTarget: !r.GetValue(allowSource));
            }
            else if (s.Job is not null && s.LoadConfig(required: true) is { } config && ConfigResolver.Job(config, s.Job).Restore is { } declared)
            {
                s3.ApplyTo(r, declared);
                restoreTarget = declared.Create(new App.Sources.SourceContext([], CliEnvironment.Get));
                if (restoreTarget is DirectoryTarget declaredDirectory)
                {
                    restoreTarget = declaredDirectory.With(RestoreOverwrite.Get(r), newRefuseSourceTarget: !r.GetValue(allowSource));
                }
                if (restoreTarget is Offsite.App.Sources.S3.S3Target)
                {
                    return await S3Restore.RunAsync(r, s, filters, r.GetValue(snapshot)!, restoreTarget, ct).ConfigureAwait(false);
                }
                if (DockerRestore.IsDockerTarget(restoreTarget))
                {
                    return await docker.RunAsync(r, s, filters, r.GetValue(snapshot)!, restoreTarget, ct).ConfigureAwait(false);
                }
                if (HttpRestore.IsHttpTarget(restoreTarget))
                {
                    return await HttpRestore.RunAsync(r, s, filters, r.GetValue(snapshot)!, restoreTarget, ct).ConfigureAwait(false);
                }
                if (restoreTarget is PostgresTarget)
                {
                    return await postgres.RunAsync(r, s, filters, r.GetValue(snapshot)!, restoreTarget, ct).ConfigureAwait(false);
                }
            }
            else
            {
                throw new Offsite.Core.Errors.OffsiteException(Offsite.Core.Errors.ErrorKind.Usage, "give --target DIR (or --to postgres://… for a database snapshot, --to s3:… for a bucket, or --job JOB with a restore: target in the config)");
            }
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var sn = await filters.FindAsync(repo, r, r.GetValue(snapshot)!, ct).ConfigureAwait(false);
            await repo.LoadIndexAsync(ct).ConfigureAwait(false);
            if (await retrieval.PrepareAsync(r, s, repo, sn, new PathFilter(r.GetValue(include) ?? []), ct).ConfigureAwait(false) is int stop)
            {
                return stop; // archived packs are being retrieved
            }
            var report = await restoreTarget.RestoreAsync(repo, sn, ct).ConfigureAwait(false);
            var policy = restoreTarget is DirectoryTarget directory ? directory.Overwrite : OverwritePolicy.IfChanged;
            var result = (RestoreResult)report.Details!;
            double seconds = report.Seconds;
            foreach (string error in result.Errors)
            {
                Console.Error.WriteLine($"error: {error}");
            }
            if (s.Json)
            {
                var json = new JsonObject { ["snapshot"] = sn.Id };
                Output.AddCounts(json, result.Entries);
                json["bytes"] = result.Bytes;
                json["overwrite"] = policy.Name();
                json["kept"] = result.Kept;
                json["replaced"] = result.Replaced;
                json["errors"] = new JsonArray(result.Errors.Select(e => (JsonNode?)e).ToArray());
                json["seconds"] = Math.Round(seconds, 3);
                Output.Json(json);
            }
            else
            {
                // Not a success line when partial: what is there is intact, but the snapshot is not all there.
                string what = result.Complete ? $"restored snapshot {sn.Id[..8]}" : $"snapshot {sn.Id[..8]} only partly restored (intact entries)";
                CommandRunner.Info(s, $"{what}: {Output.Counts(result.Entries)}, {Output.Bytes(result.Bytes)} in {seconds:0.0}s");
                CommandRunner.Info(s, $"overwrite {policy.Name()}: {Output.Count(result.Kept, "existing entry", "existing entries")} left as they were, {result.Replaced} replaced");
            }
            if (!result.Complete)
            {
                return CommandRunner.Fail(ExitCodes.PartialRestore, $"{result.Errors.Count} path(s) could not be restored intact (listed above); everything else was restored");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
