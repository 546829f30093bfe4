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

    /// <summary>
    /// Encrypts into <paramref name="destination"/> (reused by the caller, so packs make no garbage)
    /// and returns the number of bytes written; the buffer must hold the plaintext plus 1 KiB of header
    /// and 16 bytes per 64 KiB chunk (see <see cref="SealedSizeBound"/>).
    /// </summary>
    public static int Seal(ReadOnlySpan<byte> plaintext, IRecipient recipient, byte[] destination)
    {
        using var ms = new MemoryStream(destination, writable: true);
        using (var age = AgeFile.OpenWrite(ms, [recipient], leaveOpen: true))
        {
            age.Write(plaintext);
        }
        return (int)ms.Position;
    }

    /// <summary>An upper bound of the stored size of <paramref name="plaintextLength"/> bytes with one X25519 recipient.</summary>
    public static int SealedSizeBound(int plaintextLength) => checked((int)AgeSizes.EncryptedPayloadLength(plaintextLength) + 1024);

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
