using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Repository;

namespace Offsite.Cli.Commands;

/// <summary><c>offsite migrate</c>: adds what an older offsite's repository lacks (the config's MAC).</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "bring a repository made by an older offsite up to date (authenticates its config)");
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            bool changed = await ConfigMigration.AuthenticateConfigAsync(repo, ct).ConfigureAwait(false);
            var c = repo.Config;
            if (s.Json)
            {
                Output.Json(new JsonObject { ["id"] = c.Id, ["configAuthenticated"] = true, ["changed"] = changed });
                return ExitCodes.Ok;
            }
            if (!changed)
            {
                CommandRunner.Info(s, "nothing to do: the repository config is already authenticated");
                return ExitCodes.Ok;
            }
            // Say what was vouched for: migrate trusts the config as it is now.
            CommandRunner.Info(s, $"authenticated the config of repository {c.Id[..8]}: chunker {c.Chunker.Min}/{c.Chunker.Average}/{c.Chunker.Max} bytes, " +
                $"{c.Compression} level {c.CompressionLevel}, pack size {Output.Bytes(c.PackSize)}" +
                (c.Retention is { } ret ? $", lifecycle expiry {ret.ExpireDays} days, refresh {ret.RefreshDays} days" : ""));
            CommandRunner.Info(s, "Check these are the values you chose. Key files exported from now on (key export) also refuse a config stripped of its authentication.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
