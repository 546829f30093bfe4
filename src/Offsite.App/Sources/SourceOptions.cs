using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Offsite.Core.Sources;

namespace Offsite.App.Sources;

/// <summary>
/// A source as the config file (or a CLI front end) declares it. Each kind of source has one
/// subclass in its own folder, registered by its <c>type:</c> name in <see cref="SourceRegistry"/>.
/// </summary>
public abstract class SourceOptions
{
    /// <summary>Builds the source. Validation errors are usage errors naming the key.</summary>
    public abstract SourcePlan Plan(SourceContext context);
}

/// <summary>What a source needs from the run: paths to leave out (the local cache) and the process environment.</summary>
public sealed record SourceContext(IReadOnlyList<string> ExcludedPaths, Func<string, string?> Environment)
{
    /// <summary>Where a source's warnings go before its backup starts (stderr in the CLI).</summary>
    public ILogger Log { get; init; } = NullLogger.Instance;

    /// <summary>
    /// Notes that must outlive a run (the containers a backup holds stopped): $OFFSITE_STATE_DIR, else
    /// $XDG_STATE_HOME/offsite, else ~/.local/state/offsite; null when no home is known. Unlike the cache
    /// it does not depend on the repository, so every run on the machine finds them.
    /// </summary>
    public string? StateDirectory =>
        Environment("OFFSITE_STATE_DIR") is { Length: > 0 } dir ? dir
        : Environment("XDG_STATE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "offsite")
        : Environment("HOME") is { Length: > 0 } home ? Path.Combine(home, ".local", "state", "offsite")
        : null;
}

/// <summary>A built source: a tree (one snapshot) or streams (one snapshot each).</summary>
public sealed record SourcePlan
{
    public ITreeSource? Tree { get; init; }
    public IStreamSource? Streams { get; init; }

    /// <summary>The snapshot's paths (for a tree) and its default source name.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
    public string? SourceName { get; init; }

    public static SourcePlan ForTree(ITreeSource tree, IReadOnlyList<string> paths, string sourceName) => new() { Tree = tree, Paths = paths, SourceName = sourceName };

    public static SourcePlan ForStreams(IStreamSource streams) => new() { Streams = streams };
}
