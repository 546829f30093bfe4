using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Offsite.Crypto.Age;

/// <summary>
/// Passphrase recipient: the file key is wrapped with scrypt(passphrase). age requires an scrypt stanza
/// to be the only one in a header, so this cannot be combined with other recipients.
/// </summary>
public sealed class ScryptRecipient : IRecipient
{
    internal const string StanzaType = "scrypt";
    internal const int SaltSize = 16;
    internal static ReadOnlySpan<byte> Label => "age-encryption.org/v1/scrypt"u8;

    private readonly byte[] _passphrase;
    private readonly int _logN;

    /// <param name="passphrase">Non-empty passphrase, used as UTF-8.</param>
    /// <param name="logN">log2 of the scrypt work factor N (age's default is 18, ~1 s and 256 MiB).</param>
    public ScryptRecipient(string passphrase, int logN = 18)
    {
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        // Same bounds as the reference implementation's SetWorkFactor.
        ArgumentOutOfRangeException.ThrowIfLessThan(logN, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(logN, Scrypt.MaxLogN);
        _passphrase = Encoding.UTF8.GetBytes(passphrase);
        _logN = logN;
    }

    public IReadOnlyList<Stanza> Wrap(ReadOnlySpan<byte> fileKey)
    {
        var salt = new byte[SaltSize];
        RandomNumberGenerator.Fill(salt);
        Span<byte> key = stackalloc byte[32];
        try
        {
            DeriveWrappingKey(_passphrase, salt, _logN, key);
            byte[] body = FileKeyWrap.Wrap(key, fileKey);
            return [new Stanza(StanzaType, [RawBase64.Encode(salt), _logN.ToString(CultureInfo.InvariantCulture)], body)];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>scrypt(passphrase, salt = label || salt, N = 2^logN, r = 8, p = 1, 32 bytes).</summary>
    internal static void DeriveWrappingKey(ReadOnlySpan<byte> passphrase, ReadOnlySpan<byte> salt, int logN, Span<byte> key)
    {
        Span<byte> fullSalt = stackalloc byte[Label.Length + SaltSize];
        Label.CopyTo(fullSalt);
        salt.CopyTo(fullSalt[Label.Length..]);
        Scrypt.DeriveKey(passphrase, fullSalt, logN, r: 8, p: 1, key);
    }
}
