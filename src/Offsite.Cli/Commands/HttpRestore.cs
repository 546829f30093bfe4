using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.App.Restore;
using Offsite.App.Restore.Http;
using Offsite.App.Sources;
using Offsite.App.Sources.Http;
using Offsite.Sources.Http;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>offsite restore latest --source vault:… --to vault:[ADDR] [--vault-force]</c> (also consul:,
/// nomad:, a URL), and <c>--to etcd:DIR|FILE|-</c>, which writes the etcd snapshot file for
/// <c>etcdctl snapshot restore</c>. A job's declared vault/consul/nomad/etcd/http target runs here too.
/// </summary>
public sealed class HttpRestore
{
    public Option<bool> VaultForce { get; } = new("--vault-force") { Description = "Vault: restore through snapshot-force (a snapshot of another cluster)" };

    public void AddTo(Command command) => command.Options.Add(VaultForce);

    public static bool Handles(string? to) => to is not null && ServiceSpecs.IsSpec(to);

    public static bool IsHttpTarget(IRestoreTarget target) => target is HttpServiceTarget or EtcdFileTarget;

    public IRestoreTarget FromCommandLine(ParseResult r, string to) =>
        ServiceSpecs.Target(to, r.GetValue(VaultForce)).Create(new SourceContext([], CliEnvironment.Get));

    public static async Task<int> RunAsync(ParseResult r, GlobalSettings s, SnapshotOptions filters, string reference, IRestoreTarget target, CancellationToken ct)
    {
        bool toStdout = target is EtcdFileTarget { Path: "-" };
        if (target is EtcdFileTarget etcd)
        {
            target = etcd.WithStandardOutput(Console.OpenStandardOutput);
        }
        var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
        var (sn, report) = await RestoreService.RestoreAsync(repo, reference, filters.Filter(r), target, ct).ConfigureAwait(false);
        string where = report.Details switch
        {
            HttpUploadOutcome o => $"{target.Display} (HTTP {o.Status})",
            string path => path == "-" ? "standard output" : path,
            _ => target.Display,
        };
        if (s.Json && !toStdout)
        {
            Output.Json(new JsonObject
            {
                ["snapshot"] = sn.Id, ["source"] = sn.Source, ["target"] = where, ["bytes"] = report.Bytes, ["seconds"] = Math.Round(report.Seconds, 3),
            });
            return ExitCodes.Ok;
        }
        string line = $"restored snapshot {sn.Id[..8]} ({sn.Source}) to {where}: {Output.Bytes(report.Bytes)} in {report.Seconds:0.0}s";
        if (toStdout)
        {
            if (!s.Quiet) Console.Error.WriteLine(line); // standard output carries the snapshot
        }
        else
        {
            CommandRunner.Info(s, line);
            if (report.Details is string path && target is EtcdFileTarget)
            {
                CommandRunner.Info(s, $"next: etcdctl snapshot restore {path} --data-dir NEW_DIR (on each member, with its --name and --initial-cluster), then start etcd on NEW_DIR");
            }
        }
        return ExitCodes.Ok;
    }
}
