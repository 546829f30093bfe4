using System.CommandLine;
using System.Net;
using Offsite.Cli.Serve;
using Offsite.Core.Errors;
using Offsite.Server.Hosting;

namespace Offsite.Cli.Commands;

/// <summary><c>offsite serve</c>: the config file's jobs on their schedules, the HTTP API, /metrics and the status page.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string?>("--listen") { Description = "address:port to bind (default: server.listen, else 127.0.0.1:8470)" };
        var command = new Command("serve", "run the config file's jobs on their schedules with an HTTP API, Prometheus metrics and a status page (docs/api.md)") { listen };
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            string path = Offsite.App.Config.ConfigLoader.Locate(s.ConfigPath, CliEnvironment.Get)
                ?? throw new OffsiteException(ErrorKind.Usage, $"offsite serve needs a config file: give --config FILE, set OFFSITE_CONFIG, or create {Offsite.App.Config.ConfigLoader.DefaultPath}");
            var catalog = new ConfigJobCatalog(path);
            var server = catalog.Config.Server
                ?? throw new OffsiteException(ErrorKind.Usage, $"{path}: a server: section with a token (token, token_file or token_command) is needed for offsite serve");
            var (address, port) = ParseListen(r.GetValue(listen) ?? server.Listen ?? "127.0.0.1:8470");
            var options = new ServerOptions
            {
                BindAddress = address, Port = port,
                Token = server.Token!.Resolve("server token"),
                TlsCertificatePath = server.TlsCert, TlsKeyPath = server.TlsKey,
                ShutdownGrace = server.ShutdownGrace ?? TimeSpan.FromSeconds(60),
                LeaseTtl = server.LeaseTtl ?? TimeSpan.FromMinutes(2),
                CatchUpMissedRuns = server.CatchUp ?? true,
                JsonLogs = server.JsonLogs,
                HostName = CliEnvironment.Runtime.HostName,
                Time = CliEnvironment.Runtime.Clock,
            };
            var queries = new AppRepositoryQueries(catalog);
            try
            {
                await ServerHost.RunAsync(options, catalog, new AppJobExecutor(catalog), queries, queries, null, ct).ConfigureAwait(false);
            }
            catch (FormatException e)
            {
                throw new OffsiteException(ErrorKind.Usage, e.Message, e);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static (IPAddress, int) ParseListen(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon > 0 && IPAddress.TryParse(text[..colon].Trim('[', ']'), out var address)
            && int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536)
        {
            return (address, port);
        }
        throw new OffsiteException(ErrorKind.Usage, $"listen: '{text}' is not ADDRESS:PORT (e.g. 127.0.0.1:8470)");
    }
}
