using Offsite.Core.Errors;
using Offsite.Crypto.Age;

namespace Offsite.Core.Repository;

/// <summary>
/// Turns plaintext into stored objects and back: every object but <c>config</c> is an age file,
/// named by the SHA-256 of its stored bytes, so anyone with read access can verify integrity
/// without the key and anyone with the identity can decrypt with the standard age CLI.
/// </summary>
public static class ObjectCodec
{
    public static byte[] Seal(ReadOnlySpan<byte> plaintext, IRecipient recipient) =>
        AgeFile.Encrypt(plaintext, [recipient]);

    /// <summary>Decrypts a stored object; damage and foreign keys become clear errors naming the object.</summary>
    public static byte[] Open(ReadOnlySpan<byte> stored, string key, IReadOnlyList<IIdentity> identities, string? expectedId = null)
    {
        if (expectedId is not null && ObjectKeys.IdFor(stored) != expectedId)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{key}: content does not match its name (object is damaged or truncated)");
        }
        try
        {
            return AgeFile.Decrypt(stored, identities);
        }
        catch (AgeException e) when (e.Kind == AgeErrorKind.NoMatch)
        {
            throw new OffsiteException(ErrorKind.WrongKey, $"{key}: is not encrypted to this repository's key", e);
        }
        catch (AgeException e)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{key}: cannot be decrypted ({Describe(e.Kind)}); the object is damaged", e);
        }
    }

    public static string Describe(AgeErrorKind kind) => kind switch
    {
        AgeErrorKind.HeaderFailure => "malformed age header",
        AgeErrorKind.HmacFailure => "header authentication failed",
        AgeErrorKind.PayloadFailure => "payload authentication failed",
        AgeErrorKind.Truncated => "truncated",
        AgeErrorKind.NoMatch => "no matching key",
        _ => kind.ToString(),
    };
}
