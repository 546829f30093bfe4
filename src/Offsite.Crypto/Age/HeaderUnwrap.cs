using System.Security.Cryptography;

namespace Offsite.Crypto.Age;

/// <summary>Turns a parsed header plus identities into a verified file key.</summary>
internal static class HeaderUnwrap
{
    /// <summary>
    /// Finds the file key with the first identity that matches, then verifies the header MAC with it.
    /// Throws NoMatch, HeaderFailure (from identities or structure) or HmacFailure.
    /// </summary>
    public static byte[] UnwrapFileKey(ParsedHeader header, ReadOnlySpan<byte> headerBytes, IReadOnlyList<IIdentity> identities)
    {
        ArgumentNullException.ThrowIfNull(identities);
        if (identities.Count == 0)
        {
            throw new ArgumentException("At least one identity is required.", nameof(identities));
        }
        // Enforced here too (not only in ScryptIdentity) so the rule holds whatever identities are supplied.
        if (header.Stanzas.Count != 1 && header.Stanzas.Any(s => s.Type == ScryptRecipient.StanzaType))
        {
            throw AgeException.Header("An scrypt stanza must be the only stanza in the header.");
        }

        byte[]? fileKey = null;
        foreach (IIdentity identity in identities)
        {
            fileKey = identity.Unwrap(header.Stanzas);
            if (fileKey is not null)
            {
                break;
            }
        }
        if (fileKey is null)
        {
            throw new AgeException(AgeErrorKind.NoMatch, "No identity matched any of the recipients of this file.");
        }
        if (fileKey.Length != FileKeyWrap.FileKeySize)
        {
            CryptographicOperations.ZeroMemory(fileKey);
            throw AgeException.Header("An identity returned a file key of the wrong length.");
        }

        Span<byte> mac = stackalloc byte[AgeHeader.MacSize];
        AgeHeader.ComputeMac(fileKey, headerBytes[..header.MacInputLength], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, header.Mac))
        {
            CryptographicOperations.ZeroMemory(fileKey);
            throw new AgeException(AgeErrorKind.HmacFailure, "The header MAC does not verify; the header was modified.");
        }
        return fileKey;
    }

    /// <summary>Generates a file key and the complete header for the given recipients.</summary>
    public static byte[] BuildHeader(IReadOnlyList<IRecipient> recipients, Span<byte> fileKey)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("At least one recipient is required.", nameof(recipients));
        }
        RandomNumberGenerator.Fill(fileKey);
        var stanzas = new List<Stanza>();
        foreach (IRecipient r in recipients)
        {
            stanzas.AddRange(r.Wrap(fileKey));
        }
        if (stanzas.Count != 1 && stanzas.Any(s => s.Type == ScryptRecipient.StanzaType))
        {
            throw new ArgumentException("A passphrase (scrypt) recipient cannot be combined with other recipients.", nameof(recipients));
        }
        return AgeHeader.Serialize(stanzas, fileKey);
    }
}
