using Offsite.App.Restore;
using Offsite.App.Restore.Http;

namespace Offsite.App.Sources.Http;

/// <summary>
/// The command-line forms of the HTTP sources and targets: <c>vault:[ADDRESS]</c>,
/// <c>consul:[ADDRESS]</c>, <c>nomad:[ADDRESS]</c>, <c>etcd:[ADDRESS]</c> (an empty address takes
/// the CLI's variable, e.g. VAULT_ADDR), and a plain <c>http://</c> or <c>https://</c> URL for the
/// generic source (GET) and target (PUT). As a restore target, <c>etcd:</c> names a directory, a
/// file or <c>-</c>. Tokens and TLS come from the services' variables; the config file offers more.
/// </summary>
public static class ServiceSpecs
{
    private static readonly string[] Prefixes = ["vault:", "consul:", "nomad:", "etcd:"];

    public static bool IsSpec(string text) =>
        Prefixes.Any(p => text.StartsWith(p, StringComparison.Ordinal))
        || text.StartsWith("http://", StringComparison.Ordinal) || text.StartsWith("https://", StringComparison.Ordinal);

    public static SourceOptions Source(string spec) => Split(spec) switch
    {
        ("vault", var a) => new VaultSourceOptions { Address = a },
        ("consul", var a) => new ConsulSourceOptions { Address = a },
        ("nomad", var a) => new NomadSourceOptions { Address = a },
        ("etcd", var a) => new EtcdSourceOptions { Address = a },
        _ => new HttpSourceOptions { Url = spec },
    };

    public static RestoreTargetOptions Target(string spec, bool vaultForce) => Split(spec) switch
    {
        ("vault", var a) => new VaultTargetOptions { Address = a, Force = vaultForce },
        ("consul", var a) => new ConsulTargetOptions { Address = a },
        ("nomad", var a) => new NomadTargetOptions { Address = a },
        ("etcd", var a) => new EtcdTargetOptions { Path = a ?? throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.Usage, "--to etcd:PATH needs a directory, a file path or - (standard output)") },
        _ => new HttpTargetOptions { Url = spec },
    };

    private static (string Kind, string? Remainder) Split(string spec)
    {
        foreach (string prefix in Prefixes)
        {
            if (spec.StartsWith(prefix, StringComparison.Ordinal))
            {
                string rest = spec[prefix.Length..];
                return (prefix[..^1], rest.Length > 0 ? rest : null);
            }
        }
        return ("http", spec);
    }
}
