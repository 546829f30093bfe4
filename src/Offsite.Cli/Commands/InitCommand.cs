using System.CommandLine;
using Offsite.Core.Repository;

namespace Offsite.Cli.Commands;

public static class InitCommand
{
    public static Command Create()
    {
        var packSize = new Option<int?>("--pack-size") { Description = "target pack size in MiB (default 16)" };
        var command = new Command("init", "create a new repository") { packSize };
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var storage = StorageFactory.Open(s);
            string passphrase = Secrets.ResolvePassphrase(s, allowPrompt: true, confirm: true);
            var config = new RepositoryConfig();
            if (r.GetValue(packSize) is int mib)
            {
                config.PackSize = mib * 1024 * 1024;
            }
            var repo = await Repository.InitAsync(storage, passphrase, config, s.EffectiveCacheDir, ct).ConfigureAwait(false);
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
