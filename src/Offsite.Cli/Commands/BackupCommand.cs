using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Offsite.Core.Archiver;
using Offsite.Core.Backup;
using Offsite.Core.Errors;
using Offsite.Core.Snapshots;
using Offsite.Posix;

namespace Offsite.Cli.Commands;

public static class BackupCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "paths to back up (or, with --stdin-from-command, the command and its arguments after --)", Arity = ArgumentArity.ZeroOrMore };
        var stdin = new Option<bool>("--stdin") { Description = "back up standard input as one file" };
        var stdinName = new Option<string?>("--stdin-name") { Description = "file name for --stdin / --stdin-from-command data (default: stdin)" };
        var fromCommand = new Option<bool>("--stdin-from-command") { Description = "run the command given after -- and back up its output; fails if the command fails" };
        var tags = new Option<string[]>("--tag") { Description = "add a tag (repeatable)", AllowMultipleArgumentsPerToken = false };
        var host = new Option<string?>("--host") { Description = "host name recorded in the snapshot (default: this machine)" };
        var source = new Option<string?>("--source") { Description = "source name recorded in the snapshot, used by `latest --source` (default: the paths or stream name)" };
        var command = new Command("backup", "back up paths, standard input or a command's output") { paths, stdin, stdinName, fromCommand, tags, host, source };
        var postgres = new PostgresBackup();
        postgres.AddTo(command);
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            string[] args = r.GetValue(paths) ?? [];
            bool isStdin = r.GetValue(stdin), isCommand = r.GetValue(fromCommand);
            if (!isStdin && !isCommand && PostgresBackup.Handles(args))
            {
                return await postgres.RunAsync(r, s, args, r.GetValue(host) ?? Environment.MachineName, r.GetValue(tags) ?? [], ct).ConfigureAwait(false);
            }
            if (isStdin && isCommand)
            {
                throw new OffsiteException(ErrorKind.Usage, "--stdin and --stdin-from-command exclude each other");
            }
            if ((isStdin && args.Length > 0) || (!isStdin && args.Length == 0))
            {
                throw new OffsiteException(ErrorKind.Usage, isStdin ? "--stdin takes no paths" : "nothing to back up: give paths, --stdin, or --stdin-from-command -- CMD...");
            }
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var runner = new BackupRunner(repo);
            string hostName = r.GetValue(host) ?? Environment.MachineName;
            string[] tagList = r.GetValue(tags) ?? [];
            using var progress = ProgressLine.Start(s, runner.Progress);
            Snapshot snapshot;
            if (isStdin || isCommand)
            {
                string name = r.GetValue(stdinName) ?? (isCommand ? Path.GetFileName(args[0]) : "stdin");
                var template = new SnapshotTemplate(r.GetValue(source) ?? name, hostName, ["/" + name], tagList);
                snapshot = isStdin
                    ? await BackupStandardInputAsync(runner, name, template, ct).ConfigureAwait(false)
                    : await BackupCommandOutputAsync(runner, args, name, template, ct).ConfigureAwait(false);
            }
            else
            {
                var absolute = args.Select(p => Path.GetFullPath(p).TrimEnd('/')).Select(p => p.Length == 0 ? "/" : p).ToList();
                foreach (string p in absolute)
                {
                    if (!Path.Exists(p) && !File.Exists(p) && new FileInfo(p).LinkTarget is null)
                    {
                        throw new OffsiteException(ErrorKind.Usage, $"{p}: no such file or directory");
                    }
                }
                var template = new SnapshotTemplate(r.GetValue(source) ?? string.Join(",", absolute), hostName, absolute, tagList);
                snapshot = await runner.BackupPathsAsync(absolute, template, ct).ConfigureAwait(false);
            }
            progress?.Dispose();
            Report(s, snapshot, runner.Progress);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Standard input as one file; a pipe (<c>pg_dump | offsite backup --stdin</c>) is read in large batches.</summary>
    private static async Task<Snapshot> BackupStandardInputAsync(BackupRunner runner, string name, SnapshotTemplate template, CancellationToken ct)
    {
        using var stdinHandle = new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false);
        await using Stream input = PipeInputStream.IsPipe(0) ? new PipeInputStream(stdinHandle) : Console.OpenStandardInput();
        return await runner.BackupStreamAsync(input, name, null, template, ct).ConfigureAwait(false);
    }

    private static async Task<Snapshot> BackupCommandOutputAsync(BackupRunner runner, string[] args, string name, SnapshotTemplate template, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in args.Skip(1)) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new OffsiteException(ErrorKind.SourceFailed, $"could not start {args[0]}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new OffsiteException(ErrorKind.SourceFailed, $"could not start {args[0]}: {e.Message}", e);
        }
        using (process)
        {
            try
            {
                using var output = PipeInputStream.OfStandardOutput(process);
                using var killOnCancel = ct.Register(() => process.Kill(entireProcessTree: true));
                return await runner.BackupStreamAsync(output, name, async c =>
                {
                    await process.WaitForExitAsync(c).ConfigureAwait(false);
                    if (process.ExitCode != 0)
                    {
                        throw new OffsiteException(ErrorKind.SourceFailed, $"{args[0]} exited with code {process.ExitCode}; no snapshot was written");
                    }
                }, template, ct).ConfigureAwait(false);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
    }

    private static void Report(GlobalSettings s, Snapshot snapshot, BackupProgress progress)
    {
        foreach (string warning in progress.Warnings)
        {
            Console.Error.WriteLine($"warning: {warning}");
        }
        var st = snapshot.Stats;
        if (s.Json)
        {
            Output.Json(new JsonObject
            {
                ["snapshot"] = snapshot.Id,
                ["source"] = snapshot.Source,
                ["files"] = st.Files,
                ["dirs"] = st.Directories,
                ["bytes"] = st.Bytes,
                ["newBlobs"] = st.NewBlobs,
                ["addedBytes"] = st.AddedBytes,
                ["addedStoredBytes"] = st.AddedStoredBytes,
                ["seconds"] = st.DurationSeconds,
                ["warnings"] = progress.Warnings.Count,
            });
            return;
        }
        CommandRunner.Info(s, $"snapshot {snapshot.Id[..8]} saved: {st.Files} files, {st.Directories} dirs, {Output.Bytes(st.Bytes)} in {st.DurationSeconds:0.0}s");
        CommandRunner.Info(s, $"added {Output.Bytes(st.AddedBytes)} new data ({Output.Bytes(st.AddedStoredBytes)} stored), {progress.UnchangedFiles} files unchanged");
    }
}
