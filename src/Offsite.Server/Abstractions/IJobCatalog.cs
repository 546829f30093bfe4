namespace Offsite.Server.Abstractions;

/// <summary>
/// The jobs the server schedules, read from the config file by the application layer.
/// <para>
/// Threading: <see cref="Jobs"/> and <see cref="Repositories"/> may be read from any thread at any time, and must
/// return a consistent set (replace the whole list on reload, never mutate it). <see cref="ReloadAsync"/> is never
/// called twice at once (the server serialises reloads).
/// </para>
/// </summary>
public interface IJobCatalog
{
    /// <summary>The jobs of the config currently in force.</summary>
    IReadOnlyList<JobDefinition> Jobs { get; }

    /// <summary>
    /// Names of the repositories in the config (including ones no job writes to), used by <c>/api/check</c>,
    /// <c>/api/snapshots</c> and the per-repository metrics.
    /// </summary>
    IReadOnlyList<string> Repositories { get; }

    /// <summary>
    /// Re-reads the config file. When it is invalid (unreadable, bad YAML, an unknown repository, a bad cron
    /// expression…) the old config stays in force and the result carries one clear line saying what is wrong.
    /// Must not throw for a bad config; exceptions are treated as a failed reload.
    /// </summary>
    Task<CatalogReloadResult> ReloadAsync(CancellationToken cancellationToken);
}

/// <summary>Outcome of <see cref="IJobCatalog.ReloadAsync"/>: <see cref="Error"/> is null on success.</summary>
public sealed record CatalogReloadResult(string? Error)
{
    public static readonly CatalogReloadResult Success = new((string?)null);

    public bool Succeeded => Error is null;

    public static CatalogReloadResult Failed(string error) => new(error);
}
