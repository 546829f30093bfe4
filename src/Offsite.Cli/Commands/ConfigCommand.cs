using System.CommandLine;
using Offsite.App.Config;

namespace Offsite.Cli.Commands;

/// <summary><c>offsite config check|show</c>: validate the config file, print it with secrets redacted.</summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var check = new Command("check", "validate the config file: every error as file:line:column: key.path: problem (exit 2)");
        CommandRunner.SetAction(check, (r, s, ct) =>
        {
            var config = s.LoadConfig(required: true)!;
            CommandRunner.Info(s, $"{config.File}: OK: {config.Repositories.Count} repositor{(config.Repositories.Count == 1 ? "y" : "ies")}, {config.Jobs.Count} job{(config.Jobs.Count == 1 ? "" : "s")}");
            return Task.FromResult(ExitCodes.Ok);
        });
        var show = new Command("show", "print the effective config (environment variables expanded) with secrets redacted");
        CommandRunner.SetAction(show, (r, s, ct) =>
        {
            Console.Write(ConfigPrinter.Print(s.LoadConfig(required: true)!));
            return Task.FromResult(ExitCodes.Ok);
        });
        return new Command("config", "check or show the config file (--config, OFFSITE_CONFIG or /etc/offsite/offsite.yaml)") { check, show };
    }
}
