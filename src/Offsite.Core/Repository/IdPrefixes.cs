namespace Offsite.Core.Repository;

/// <summary>Short forms of ids for messages that compare two of them.</summary>
public static class IdPrefixes
{
    /// <summary>
    /// Prefixes of <paramref name="a"/> and <paramref name="b"/> long enough to tell them apart: at least
    /// <paramref name="minimum"/> characters, and four past the first difference (ids that differ only
    /// in their 40th digit must not both print as the same 8). Whole ids when they are equal.
    /// </summary>
    public static (string A, string B) Distinguish(string a, string b, int minimum = 8)
    {
        int common = 0;
        while (common < a.Length && common < b.Length && a[common] == b[common])
        {
            common++;
        }
        int length = Math.Max(minimum, common + 4);
        return (Cut(a, length), Cut(b, length));
    }

    private static string Cut(string id, int length) => id.Length <= length ? id : id[..length] + "…";
}
