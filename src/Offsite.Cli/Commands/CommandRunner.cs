using System.CommandLine;
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
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Fail(ExitCodes.Interrupted, "interrupted; the repository is unchanged except for unreferenced data the next backup reuses");
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
        });
    }

    public static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"offsite: {message}");
        return code;
    }

    public static async Task<Repository> OpenAsync(GlobalSettings settings, CancellationToken cancellationToken)
    {
        var storage = StorageFactory.Open(settings);
        // Read first: a missing repository is reported before anyone is asked for a passphrase.
        var config = await Repository.ReadConfigAsync(storage, cancellationToken).ConfigureAwait(false);
        var key = Secrets.ResolveKey(settings, allowPrompt: true);
        return await Repository.OpenAsync(storage, key, settings.EffectiveCacheDir, config, cancellationToken).ConfigureAwait(false);
    }

    public static void Info(GlobalSettings settings, string line)
    {
        if (!settings.Quiet && !settings.Json)
        {
            Console.WriteLine(line);
        }
    }
}
