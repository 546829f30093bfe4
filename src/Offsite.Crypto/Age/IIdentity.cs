namespace Offsite.Crypto.Age;

/// <summary>Something that can unwrap a file key from a header's stanzas.</summary>
public interface IIdentity
{
    /// <summary>
    /// Returns the 16-byte file key, or null when no stanza is addressed to this identity.
    /// Throws <see cref="AgeException"/> with <see cref="AgeErrorKind.HeaderFailure"/> when a stanza of
    /// this identity's type is malformed (the reference implementation aborts rather than skipping it).
    /// </summary>
    byte[]? Unwrap(IReadOnlyList<Stanza> stanzas);
}
