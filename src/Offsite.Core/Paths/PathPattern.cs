using Offsite.Core.Errors;

namespace Offsite.Core.Paths;

/// <summary>
/// A path pattern with restic's semantics, matched against '/'-separated absolute paths:
/// <c>*</c>, <c>?</c> and <c>[...]</c> (with <c>^</c> or <c>!</c> to negate, ranges, <c>\</c> to
/// escape) match within one path component and never cross '/'; a component <c>**</c> matches any
/// number of components, none included. A pattern with a leading '/' is anchored at the root;
/// one without matches at any depth (<c>*.log</c> matches /var/x.log and /a/b/x.log). A pattern
/// that matches a directory matches everything below it too, so an excluded directory is not
/// descended into and an included one is restored whole.
/// </summary>
public sealed class PathPattern
{
    private const string AnyDepth = "**";
    private readonly string[] _parts;
    private readonly bool _anchored;
    private readonly bool _ignoreCase;

    private PathPattern(string text, string[] parts, bool anchored, bool ignoreCase)
    {
        Text = text;
        _parts = parts;
        _anchored = anchored;
        _ignoreCase = ignoreCase;
    }

    /// <summary>The pattern as given.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="pattern"/>; a malformed one (an unclosed '[', a trailing '\') is a usage error naming it.</summary>
    /// <param name="ignoreCase">compare letters case-insensitively (restic's --iexclude)</param>
    public static PathPattern Parse(string pattern, bool ignoreCase = false)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        string trimmed = pattern.Trim();
        if (trimmed.Length == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, "empty path pattern");
        }
        string[] parts = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        // '**/**' is '**': collapsed, so the depth search below tries each split once.
        parts = parts.Where((p, i) => p != AnyDepth || i == 0 || parts[i - 1] != AnyDepth).ToArray();
        foreach (string part in parts)
        {
            if (part != AnyDepth && Validate(part) is { } problem)
            {
                throw new OffsiteException(ErrorKind.Usage, $"pattern '{pattern}': {problem}");
            }
        }
        return new PathPattern(pattern, parts, trimmed.StartsWith('/'), ignoreCase);
    }

    /// <summary>True when <paramref name="path"/> (absolute, '/'-separated) or one of its ancestors matches.</summary>
    public bool Matches(string path) => Match(path, whole: false);

    /// <summary>
    /// True when <paramref name="path"/> itself matches, not only an ancestor (what `find` reports): an
    /// anchored pattern must cover every component, a floating one the trailing components.
    /// </summary>
    public bool MatchesExactly(string path) => Match(path, whole: true);

    private bool Match(string path, bool whole)
    {
        string[] names = Split(path);
        if (_anchored)
        {
            return MatchesPrefix(names, 0, 0, whole);
        }
        for (int offset = 0; offset < names.Length; offset++)
        {
            if (MatchesPrefix(names, 0, offset, whole)) return true;
        }
        return _parts.Length == 0;
    }

    /// <summary>True when some path below directory <paramref name="directory"/> may match (restic's ChildMatch).</summary>
    public bool MayMatchBelow(string directory)
    {
        if (!_anchored)
        {
            return true; // a floating pattern may match at any depth
        }
        string[] names = Split(directory);
        for (int i = 0; i < _parts.Length; i++)
        {
            if (i == names.Length || _parts[i] == AnyDepth) return true;
            if (!MatchesName(_parts[i], names[i])) return false;
        }
        return true; // the directory itself matched: everything below does
    }

    public override string ToString() => Text;

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Do the parts from <paramref name="part"/> on match the names from <paramref name="name"/> on (all of them when <paramref name="whole"/>, else a prefix)?</summary>
    private bool MatchesPrefix(string[] names, int part, int name, bool whole)
    {
        for (; part < _parts.Length; part++, name++)
        {
            if (_parts[part] == AnyDepth)
            {
                // Zero or more components: try each split point (a '**' followed by '**' adds nothing).
                for (int skip = name; skip <= names.Length; skip++)
                {
                    if (MatchesPrefix(names, part + 1, skip, whole)) return true;
                }
                return false;
            }
            if (name == names.Length || !MatchesName(_parts[part], names[name])) return false;
        }
        return !whole || name == names.Length;
    }

    /// <summary>
    /// Glob match of one component. On a mismatch only the last '*' seen takes one more character (the classic
    /// greedy algorithm): linear in pattern times name, however many stars there are.
    /// </summary>
    private bool MatchesName(string pattern, string name)
    {
        int p = 0, n = 0, starP = -1, starN = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = ++p;
                starN = n;
                continue;
            }
            if (p < pattern.Length && MatchOne(pattern, ref p, name[n]))
            {
                n++;
                continue;
            }
            if (starP < 0) return false;
            p = starP;
            n = ++starN;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    /// <summary>Does the element at <paramref name="p"/> ('?', a class, a literal or an escaped one) match <paramref name="c"/>? Moves past it when it does.</summary>
    private bool MatchOne(string pattern, ref int p, char c)
    {
        int next;
        bool matched;
        switch (pattern[p])
        {
            case '?':
                next = p + 1;
                matched = true;
                break;
            case '[':
                next = ScanClass(pattern, p, c, _ignoreCase, out matched);
                break;
            case '\\':
                next = p + 2; // Validate made sure an escaped character follows
                matched = Same(pattern[p + 1], c);
                break;
            default:
                next = p + 1;
                matched = Same(pattern[p], c);
                break;
        }
        if (matched) p = next;
        return matched;
    }

    /// <summary>
    /// Reads the class starting at <paramref name="p"/> ('[') and tells whether <paramref name="c"/> is in it. Returns the index
    /// after its ']', or -1 when it is never closed. A ']' right after '[' (or '[^') is a member, as in POSIX.
    /// </summary>
    private static int ScanClass(string pattern, int p, char c, bool ignoreCase, out bool inClass)
    {
        inClass = false;
        p++;
        bool negated = p < pattern.Length && pattern[p] is '^' or '!';
        if (negated) p++;
        for (bool first = true; p < pattern.Length && (first || pattern[p] != ']'); first = false)
        {
            if (!TryReadMember(pattern, ref p, out char lo)) return -1;
            char hi = lo;
            if (p + 1 < pattern.Length && pattern[p] == '-' && pattern[p + 1] != ']')
            {
                p++;
                if (!TryReadMember(pattern, ref p, out hi)) return -1;
            }
            if (InRange(c, lo, hi, ignoreCase)) inClass = true;
        }
        if (p >= pattern.Length) return -1;
        inClass ^= negated;
        return p + 1;
    }

    /// <summary>One class member, '\' escaping the next character.</summary>
    private static bool TryReadMember(string pattern, ref int p, out char member)
    {
        if (pattern[p] == '\\') p++;
        if (p >= pattern.Length)
        {
            member = default;
            return false;
        }
        member = pattern[p++];
        return true;
    }

    private static bool InRange(char c, char lo, char hi, bool ignoreCase)
    {
        if (c >= lo && c <= hi) return true;
        if (!ignoreCase) return false;
        char lower = char.ToLowerInvariant(c), upper = char.ToUpperInvariant(c);
        return (lower >= lo && lower <= hi) || (upper >= lo && upper <= hi);
    }

    private bool Same(char a, char b) => a == b || (_ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));

    /// <summary>Why one component is malformed, or null. Checked once at parse time so matching never reads past the end.</summary>
    private static string? Validate(string part)
    {
        for (int i = 0; i < part.Length; i++)
        {
            if (part[i] == '\\')
            {
                if (++i == part.Length) return "'\\' at the end escapes nothing";
            }
            else if (part[i] == '[')
            {
                int end = ScanClass(part, i, default, ignoreCase: false, out _);
                if (end < 0) return $"'[' at position {i + 1} of '{part}' is never closed";
                i = end - 1;
            }
        }
        return null;
    }
}
