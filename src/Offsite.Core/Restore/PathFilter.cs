using System.IO.Enumeration;

namespace Offsite.Core.Restore;

/// <summary>
/// Which snapshot paths a restore takes. Paths are '/'-rooted inside the snapshot. A pattern
/// selects the path itself and everything below it; '*' and '?' glob within the whole path.
/// No pattern means everything.
/// </summary>
public sealed class PathFilter
{
    private readonly string[] _patterns;

    public PathFilter(IEnumerable<string> patterns)
    {
        _patterns = patterns.Select(p => "/" + p.Trim().Trim('/')).Where(p => p != "/").ToArray();
    }

    public bool IsEverything => _patterns.Length == 0;

    /// <summary>True when <paramref name="path"/> or one of its ancestors matches.</summary>
    public bool Includes(string path)
    {
        if (IsEverything) return true;
        foreach (string p in _patterns)
        {
            if (Matches(p, path)) return true;
        }
        // An ancestor matched?
        for (int i = path.LastIndexOf('/'); i > 0; i = path.LastIndexOf('/', i - 1))
        {
            string ancestor = path[..i];
            foreach (string p in _patterns)
            {
                if (Matches(p, ancestor)) return true;
            }
        }
        return false;
    }

    /// <summary>True when something below directory <paramref name="path"/> may match.</summary>
    public bool MayIncludeBelow(string path)
    {
        if (IsEverything) return true;
        foreach (string p in _patterns)
        {
            if (p.Contains('*', StringComparison.Ordinal) || p.Contains('?', StringComparison.Ordinal) || p.StartsWith(path + "/", StringComparison.Ordinal) || path == "/")
            {
                return true;
            }
        }
        return Includes(path);
    }

    private static bool Matches(string pattern, string path) =>
        pattern == path || FileSystemName.MatchesSimpleExpression(pattern, path, ignoreCase: false);
}
