using System.CommandLine;
using Offsite.App.Repositories;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Storage;

namespace Offsite.Cli.Commands;

/// <summary>
/// Runs a command body and turns every failure into one clear line on stderr and a distinct
/// exit code. Nothing here prints secrets: messages come from exceptions that name sources only.
/// </summary>
public static class CommandRunner
{
    public static void SetAction(Command command, Func<ParseResult, GlobalSettings, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = GlobalSettings.From(parseResult);
            var opened = new List<IAsyncDisposable>();
            Opened.Value = opened;
            try
            {
                return await body(parseResult, settings, cancellationToken).ConfigureAwait(false);
            }
            catch (OffsiteException e)
            {
                return Fail(ExitCodes.For(e.Kind), e.Message);
            }
            catch (ObjectArchivedException e)
            {
                return Fail(ExitCodes.Archived, $"{e.Message}; retrieve it with `restore … --retrieval-tier Standard|Bulk|Expedited [--wait]` (docs/s3.md, \"Storage classes\")");
            }
            catch (StorageException e)
            {
                return Fail(ExitCodes.Io, $"storage: {e.Message}");
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                return Fail(ExitCodes.Interrupted, Interrupted(e));
            }
            catch (IOException e)
            {
                return Fail(ExitCodes.Io, $"I/O error: {e.Message}");
            }
            catch (UnauthorizedAccessException e)
            {
                return Fail(ExitCodes.Io, $"permission denied: {e.Message}");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A bug, not a user error: say so plainly instead of crashing with a stack trace.
                return Fail(ExitCodes.Internal, $"internal error ({e.GetType().Name}): {e.Message}. Please report it; the repository is left as the last completed write made it.");
            }
            finally
            {
                // Storage connections opened by the command end with it.
                foreach (var o in opened) await o.DisposeAsync().ConfigureAwait(false);
            }
        });
    }

    public static int Fail(int code, string message)
    {
        ProgressLine.StopCurrent();
        Console.Error.WriteLine($"offsite: {message}");
        return code;
    }

    private static string Interrupted(OperationCanceledException e) => e switch
    {
        Core.Backup.BackupInterruptedException { KeptPacks: 0 } => "interrupted: no snapshot was written and no data had been uploaded yet",
        Core.Backup.BackupInterruptedException b => $"interrupted: no snapshot was written; {b.KeptPacks} {(b.KeptPacks == 1 ? "pack" : "packs")} ({Output.Bytes(b.KeptBytes)}) uploaded will be reused by the next backup",
        _ => "interrupted; the repository is unchanged except for unreferenced data the next backup reuses",
    };

    /// <summary>What the running command opened; disposed when it ends.</summary>
    private static readonly AsyncLocal<List<IAsyncDisposable>?> Opened = new();

    public static RepositoryOpener Opener(bool confirmPrompt = false) => new(CliEnvironment.Runtime, Secrets.Prompt(confirmPrompt));

    /// <summary>Opens the repository the flags, environment or --job name; closed when the command ends.</summary>
    public static async Task<Repository> OpenAsync(GlobalSettings settings, CancellationToken cancellationToken)
    {
        var open = await Opener().OpenAsync(settings.RepositorySpec(), cancellationToken).ConfigureAwait(false);
        Track(open);
        return open.Repository;
    }

    /// <summary>Disposes <paramref name="resource"/> when the running command ends.</summary>
    public static void Track(IAsyncDisposable resource) => Opened.Value?.Add(resource);

    public static void Info(GlobalSettings settings, string line)
    {
        if (!settings.Quiet && !settings.Json)
        {
            Console.WriteLine(line);
        }
    }
}
