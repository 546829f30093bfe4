using Offsite.Core.Paths;

namespace Offsite.Sources.Files;

/// <summary>
/// What a walk of local paths leaves out, decided as it goes: an excluded directory is not
/// descended into (restic's --exclude, --iexclude, --exclude-caches and --one-file-system).
/// </summary>
public sealed record DirectoryWalkRules
{
    /// <summary>Paths matching one of these (and everything below them) are left out.</summary>
    public IReadOnlyList<PathPattern> Exclude { get; init; } = [];

    /// <summary>A directory holding a valid CACHEDIR.TAG keeps only that tag file (https://bford.info/cachedir/).</summary>
    public bool ExcludeCaches { get; init; }

    /// <summary>Do not descend into a directory on another file system than its parent (a mount point is kept, empty).</summary>
    public bool OneFileSystem { get; init; }

    public static DirectoryWalkRules None { get; } = new();

    /// <summary>True when <paramref name="displayPath"/> matches an exclude pattern.</summary>
    public bool Excludes(string displayPath)
    {
        foreach (var pattern in Exclude)
        {
            if (pattern.Matches(displayPath)) return true;
        }
        return false;
    }
}
