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
        ["s3"] = typeof(S3.S3SourceOptions),
    };

    public static IReadOnlyDictionary<string, Type> Targets { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["directory"] = typeof(DirectoryTargetOptions),
        ["postgres"] = typeof(PostgresTargetOptions),
        ["s3"] = typeof(S3.S3TargetOptions),
    };

    /// <summary>What the config binder needs to pick a class by <c>type:</c>.</summary>
    public static IReadOnlyDictionary<Type, IReadOnlyDictionary<string, Type>> Typed { get; } = new Dictionary<Type, IReadOnlyDictionary<string, Type>>
    {
        [typeof(SourceOptions)] = Sources,
        [typeof(RestoreTargetOptions)] = Targets,
    };
}
