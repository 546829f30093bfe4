namespace Offsite.Crypto.Age;

/// <summary>
/// One recipient stanza of an age header: <c>-&gt; Type Args…</c> followed by a binary body.
/// Type and arguments must be non-empty printable ASCII without spaces (enforced here so a recipient
/// cannot produce a header the parser would reject).
/// </summary>
public sealed class Stanza
{
    public Stanza(string type, IReadOnlyList<string> args, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(body);
        if (!IsValidArgument(type))
        {
            throw new ArgumentException("Stanza type must be non-empty printable ASCII without spaces.", nameof(type));
        }
        foreach (string a in args)
        {
            if (!IsValidArgument(a))
            {
                throw new ArgumentException("Stanza arguments must be non-empty printable ASCII without spaces.", nameof(args));
            }
        }
        Type = type;
        Args = [.. args];
        Body = body;
    }

    /// <summary>The first header argument, e.g. "X25519" or "scrypt".</summary>
    public string Type { get; }

    /// <summary>The remaining header arguments.</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>The decoded body (for built-in types, a wrapped file key).</summary>
#pragma warning disable CA1819 // The public API contract is a byte[] body; stanzas are small, short-lived values.
    public byte[] Body { get; }
#pragma warning restore CA1819

    internal static bool IsValidArgument(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }
        foreach (char c in s)
        {
            if (c < 33 || c > 126)
            {
                return false;
            }
        }
        return true;
    }
}
