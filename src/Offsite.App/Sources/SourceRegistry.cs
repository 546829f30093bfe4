using Offsite.App.Restore;

namespace Offsite.App.Sources;

/// <summary>
/// Every source and restore target type the config file knows, by its <c>type:</c> name.
/// Adding one is a line here (docs/design.md, "Adding a source").
/// </summary>
public static class SourceRegistry
{
    public static IReadOnlyDictionary<string, Type> Sources { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["directory"] = typeof(Files.DirectorySourceOptions),
        ["command"] = typeof(Command.CommandSourceOptions),
        ["postgres"] = typeof(Postgres.PostgresSourceOptions),
        ["named_volume"] = typeof(Docker.NamedVolumeSourceOptions),
        ["container"] = typeof(Docker.ContainerSourceOptions),
        ["vault"] = typeof(Http.VaultSourceOptions), ["consul"] = typeof(Http.ConsulSourceOptions), ["nomad"] = typeof(Http.NomadSourceOptions), ["etcd"] = typeof(Http.EtcdSourceOptions), ["http"] = typeof(Http.HttpSourceOptions),
        ["s3"] = typeof(S3.S3SourceOptions),
    };

    public static IReadOnlyDictionary<string, Type> Targets { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["directory"] = typeof(DirectoryTargetOptions),
        ["postgres"] = typeof(PostgresTargetOptions),
        ["named_volume"] = typeof(Restore.Docker.NamedVolumeTargetOptions),
        ["container"] = typeof(Restore.Docker.ContainerTargetOptions),
        ["vault"] = typeof(Restore.Http.VaultTargetOptions), ["consul"] = typeof(Restore.Http.ConsulTargetOptions), ["nomad"] = typeof(Restore.Http.NomadTargetOptions), ["etcd"] = typeof(Restore.Http.EtcdTargetOptions), ["http"] = typeof(Restore.Http.HttpTargetOptions),
        ["s3"] = typeof(S3.S3TargetOptions),
    };

    /// <summary>What the config binder needs to pick a class by <c>type:</c>.</summary>
    public static IReadOnlyDictionary<Type, IReadOnlyDictionary<string, Type>> Typed { get; } = new Dictionary<Type, IReadOnlyDictionary<string, Type>>
    {
        [typeof(SourceOptions)] = Sources,
        [typeof(RestoreTargetOptions)] = Targets,
    };
}
