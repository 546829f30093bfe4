using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Offsite.Crypto.Age;

/// <summary>Passphrase identity for files encrypted to a <see cref="ScryptRecipient"/>.</summary>
public sealed class ScryptIdentity : IIdentity
{
    private readonly byte[] _passphrase;
    private readonly int _maxLogN;

    /// <param name="passphrase">The passphrase, used as UTF-8.</param>
    /// <param name="maxLogN">
    /// Highest work factor accepted. Attacker-chosen headers could otherwise demand unbounded CPU and memory
    /// (logN 22 is already ~4 GiB); the reference implementation defaults to 22 as well.
    /// </param>
    public ScryptIdentity(string passphrase, int maxLogN = 22)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLogN, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLogN, Scrypt.MaxLogN);
        _passphrase = Encoding.UTF8.GetBytes(passphrase);
        _maxLogN = maxLogN;
    }

    public byte[]? Unwrap(IReadOnlyList<Stanza> stanzas)
    {
        ArgumentNullException.ThrowIfNull(stanzas);
        // A passphrase must not be usable as one of several recipients: anyone else who can decrypt
        // could otherwise re-encrypt under the same header and impersonate the passphrase holder.
        if (stanzas.Count != 1 && stanzas.Any(s => s.Type == ScryptRecipient.StanzaType))
        {
            throw AgeException.Header("An scrypt stanza must be the only stanza in the header.");
        }
        // In header order; stops at the first stanza that unwraps (a malformed one throws on the way).
        return stanzas.Select(UnwrapOne).FirstOrDefault(fileKey => fileKey is not null);
    }

    private byte[]? UnwrapOne(Stanza stanza)
    {
        if (stanza.Type != ScryptRecipient.StanzaType)
        {
            return null;
        }
        if (stanza.Args.Count != 2)
        {
            throw AgeException.Header("Invalid scrypt stanza: expected a salt and a work factor.");
        }
        byte[]? salt = RawBase64.Decode(stanza.Args[0]);
        if (salt is null || salt.Length != ScryptRecipient.SaltSize)
        {
            throw AgeException.Header("Invalid scrypt stanza: malformed salt.");
        }
        int logN = ParseWorkFactor(stanza.Args[1]);
        if (logN > _maxLogN)
        {
            throw AgeException.Header($"scrypt work factor {logN} exceeds the maximum of {_maxLogN}.");
        }
        // Check the body length before spending seconds on scrypt.
        if (stanza.Body.Length != FileKeyWrap.WrappedSize)
        {
            throw AgeException.Header("Invalid scrypt stanza: wrapped file key has the wrong length.");
        }

        Span<byte> key = stackalloc byte[32];
        try
        {
            ScryptRecipient.DeriveWrappingKey(_passphrase, salt, logN, key);
            return FileKeyWrap.Unwrap(key, stanza.Body, ScryptRecipient.StanzaType);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Only canonical decimal (^[1-9][0-9]*$) is accepted, so the header has one spelling per value.</summary>
    private static int ParseWorkFactor(string s)
    {
        if (s.Length == 0 || s[0] is < '1' or > '9' || !s.All(char.IsAsciiDigit)
            || !int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int logN))
        {
            throw AgeException.Header("Invalid scrypt stanza: malformed work factor.");
        }
        return logN;
    }
}
