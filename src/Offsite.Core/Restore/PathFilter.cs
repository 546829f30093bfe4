using Offsite.Core.Paths;

namespace Offsite.Core.Restore;

/// <summary>
/// Which snapshot paths a restore takes: those matching one of the patterns (restic's <c>--include</c>
/// semantics, see <see cref="PathPattern"/>), and everything below them. Paths are '/'-rooted inside
/// the snapshot. No pattern means everything.
/// </summary>
public sealed class PathFilter
{
    private readonly PathPattern[] _patterns;

    /// <param name="patterns">as given on the command line; a malformed one is a usage error</param>
    public PathFilter(IEnumerable<string> patterns)
    {
        // "/" alone selects everything, the same as no pattern.
        _patterns = patterns.Where(p => p.Trim().Trim('/').Length > 0).Select(p => PathPattern.Parse(p)).ToArray();
    }

    public bool IsEverything => _patterns.Length == 0;

    /// <summary>The patterns as given, for messages.</summary>
    public IEnumerable<string> Patterns => _patterns.Select(p => p.Text);

    /// <summary>True when <paramref name="path"/> or one of its ancestors matches.</summary>
    public bool Includes(string path) => IsEverything || _patterns.Any(p => p.Matches(path));

    /// <summary>True when something below directory <paramref name="path"/> may match.</summary>
    public bool MayIncludeBelow(string path) => IsEverything || _patterns.Any(p => p.MayMatchBelow(path));
}
