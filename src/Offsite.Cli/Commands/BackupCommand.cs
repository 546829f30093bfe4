using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.App.Backup;
using Offsite.App.Sources;
using Offsite.Core.Errors;
using Offsite.Core.Sources;
using Offsite.Posix;
using Offsite.Sources.Command;

namespace Offsite.Cli.Commands;

public static class BackupCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "paths to back up, or one of: s3:https://host/bucket[/prefix], postgres://…, vault:, consul:, nomad:, etcd:[ADDR], docker-volume:NAME, docker-exec:CONTAINER, an http(s) URL (docs/sources.md); with --stdin-from-command, the command and its arguments after --", Arity = ArgumentArity.ZeroOrMore };
        var stdin = new Option<bool>("--stdin") { Description = "back up standard input as one file" };
        var stdinName = new Option<string?>("--stdin-name") { Description = "file name for --stdin / --stdin-from-command data (default: stdin)" };
        var fromCommand = new Option<bool>("--stdin-from-command") { Description = "run the command given after -- and back up its output; fails if the command fails" };
        var tags = new Option<string[]>("--tag") { Description = "add a tag (repeatable)", AllowMultipleArgumentsPerToken = false };
        var host = new Option<string?>("--host") { Description = "host name recorded in the snapshot (default: this machine)" };
        var source = new Option<string?>("--source") { Description = "source name recorded in the snapshot, used by `latest --source` (default: the paths or stream name)" };
        var time = new Option<DateTimeOffset?>("--time")
        {
            Description = "time recorded in the snapshot instead of now, e.g. 2026-01-31T23:00:00Z or '2026-01-31 23:00:00' (local time)",
            CustomParser = r => TimeArgument.Parse(r, "--time"),
        };
        var stageTimes = new Option<bool>("--stage-times") { Description = "print the backup's CPU seconds by stage (walk, read, chunk, hash, compress, encrypt, store)" };
        var command = new Command("backup", "back up paths, standard input or a command's output") { paths, stdin, stdinName, fromCommand, tags, host, source, time, stageTimes };
        var postgres = new PostgresBackup();
        postgres.AddTo(command);
        var docker = new DockerBackup();
        docker.AddTo(command);
        var filter = new BackupFilterOptions();
        filter.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            bool isStdin = r.GetValue(stdin), isCommand = r.GetValue(fromCommand);
            string[] args = isStdin || isCommand ? r.GetValue(paths) ?? [] : filter.Paths(r, r.GetValue(paths) ?? []);
            filter.RejectUnlessDirectory(r, !isStdin && !isCommand && !DockerBackup.Handles(args) && !HttpBackup.Handles(args) && !PostgresBackup.Handles(args) && !S3Backup.Handles(args));
            Secrets.StdinIsData = isStdin;
            var request = new BackupRequest(r.GetValue(host) ?? CliEnvironment.Runtime.HostName, r.GetValue(tags) ?? [], r.GetValue(source))
            {
                Time = r.GetValue(time),
                Stages = r.GetValue(stageTimes) ? new Offsite.Core.Backup.StageTimes(ThreadClock.CpuNanoseconds, ThreadClock.ProcessCpuNanoseconds) : null,
            };
            if (!isStdin && !isCommand && DockerBackup.Handles(args))
            {
                return await docker.RunAsync(r, s, args, r.GetValue(stdinName), request, ct).ConfigureAwait(false);
            }
            if (!isStdin && !isCommand && HttpBackup.Handles(args))
            {
                return await HttpBackup.RunAsync(s, args, request, ct).ConfigureAwait(false);
            }
            if (!isStdin && !isCommand && PostgresBackup.Handles(args))
            {
                return await postgres.RunAsync(r, s, args, request, ct).ConfigureAwait(false);
            }
            if (isStdin && isCommand)
            {
                throw new OffsiteException(ErrorKind.Usage, "--stdin and --stdin-from-command exclude each other");
            }
            if ((isStdin && args.Length > 0) || (!isStdin && args.Length == 0))
            {
                throw new OffsiteException(ErrorKind.Usage, isStdin ? "--stdin takes no paths" : "nothing to back up: give paths, --stdin, or --stdin-from-command -- CMD...");
            }
            var observer = new CliBackupObserver(s, streamLines: false);
            if (!isStdin && !isCommand && S3Backup.Handles(args))
            {
                return await S3Backup.RunAsync(s, args, request, observer, ct).ConfigureAwait(false);
            }
            if (isStdin || isCommand)
            {
                string name = r.GetValue(stdinName) ?? (isCommand ? Path.GetFileName(args[0]) : "stdin");
                IStreamSource streams = isStdin ? new StandardInputSource(name) : new CommandStreamSource(args, name);
                var result = await BackupService.BackupStreamsAsync(streams, c => CommandRunner.OpenAsync(s, c), request, observer, ct).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    throw new OffsiteException(ErrorKind.SourceFailed, result.Failures[0]);
                }
            }
            else
            {
                var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
                var options = filter.Source(r, args);
                var context = new SourceContext(repo.Cache.Directory is { } dir ? [dir] : [], CliEnvironment.Get);
                var plan = options.Plan(context);
                // A second walk of the same tree, ahead of the backup, gives the progress display its totals.
                var scan = ProgressLine.Wanted(s) ? options.Plan(context).Tree : null;
                await BackupService.BackupTreeAsync(repo, plan.Tree!, plan.Paths, request with { SourceName = request.SourceName ?? plan.SourceName, Scan = scan, DryRun = filter.DryRun(r) }, observer, ct).ConfigureAwait(false);
            }
            if (s.Json)
            {
                Output.JsonLine(observer.Results[0]!.DeepClone());
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Standard input as one stream; a pipe (<c>pg_dump | offsite backup --stdin</c>) is read in large batches.</summary>
    private sealed class StandardInputSource(string name) : IStreamSource, IStreamItem
    {
        public string SourceName => name;
        public string FileName => name;
        public IReadOnlyList<string> Tags => [];

        public Task<IReadOnlyList<IStreamItem>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<IStreamItem>>([this]);

        public Task<SourceStream> OpenAsync(CancellationToken cancellationToken) => Task.FromResult<SourceStream>(new Input());

        private sealed class Input : SourceStream
        {
            private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle = new(0, ownsHandle: false);
            private readonly Stream _stream;

            public Input() => _stream = PipeInputStream.IsPipe(0) ? new PipeInputStream(_handle) : Console.OpenStandardInput();

            public override Stream Content => _stream;

            public override Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            protected override async ValueTask DisposeAsyncCore()
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
                _handle.Dispose();
            }
        }
    }
}
