namespace Offsite.App.Find;

/// <summary>
/// The glob `find` matches snapshot paths with, as restic's find does: '*' and '?' stay within one path
/// component, '**' as a whole component spans any number of them (none included). A pattern starting
/// with '/' is anchored at the snapshot root; any other pattern matches the trailing components of a
/// path, so <c>*.conf</c> finds a .conf file at any depth and <c>etc/*.conf</c> one directly in any etc.
/// Private to find until Core's shared PathPattern replaces it: <see cref="SnapshotSearch"/> only sees
/// the <see cref="IsMatch"/> predicate.
/// </summary>
public sealed class FindPattern
{
    private readonly string[] _parts;
    private readonly bool _anchored;

    public FindPattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        _anchored = pattern.StartsWith('/');
        _parts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        Text = pattern;
    }

    public string Text { get; }

    /// <summary>True when the '/'-rooted snapshot path matches.</summary>
    public bool IsMatch(string path)
    {
        string[] components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (_anchored)
        {
            return MatchFrom(components, 0, 0);
        }
        // Relative: the pattern must match the last components (any suffix of the path).
        for (int start = components.Length - 1; start >= 0; start--)
        {
            if (MatchFrom(components, start, 0)) return true;
        }
        return _parts.Length == 0;
    }

    private bool MatchFrom(string[] components, int c, int p)
    {
        if (p == _parts.Length)
        {
            return c == components.Length;
        }
        if (_parts[p] == "**")
        {
            for (int skip = c; skip <= components.Length; skip++)
            {
                if (MatchFrom(components, skip, p + 1)) return true;
            }
            return false;
        }
        return c < components.Length && MatchComponent(_parts[p], components[c]) && MatchFrom(components, c + 1, p + 1);
    }

    /// <summary>'*' any run of characters, '?' one character, within a single component.</summary>
    private static bool MatchComponent(string pattern, string name)
    {
        int p = 0, n = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
