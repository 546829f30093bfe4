using System.Security.Cryptography;

namespace Offsite.Crypto.Age;

/// <summary>
/// Wrapping of the 16-byte file key inside built-in stanzas: ChaCha20-Poly1305 with an all-zero nonce.
/// A zero nonce is safe here because every wrapping key is single-use (derived from a fresh ephemeral
/// share or a fresh scrypt salt).
/// </summary>
internal static class FileKeyWrap
{
    public const int FileKeySize = 16;
    public const int WrappedSize = FileKeySize + 16;

    public static byte[] Wrap(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> fileKey)
    {
        if (fileKey.Length != FileKeySize)
        {
            throw new ArgumentException($"age file keys are {FileKeySize} bytes.", nameof(fileKey));
        }
        var body = new byte[WrappedSize];
        Span<byte> nonce = stackalloc byte[12];
        nonce.Clear();
        using var aead = new ChaCha20Poly1305(wrappingKey);
        aead.Encrypt(nonce, fileKey, body.AsSpan(0, FileKeySize), body.AsSpan(FileKeySize));
        return body;
    }

    /// <summary>
    /// Returns the file key, or null if the body does not authenticate under this key (i.e. the stanza is
    /// for someone else). A body of the wrong length is a malformed header, checked before decrypting as
    /// the spec requires, so a long body can never yield a differently sized "file key".
    /// </summary>
    public static byte[]? Unwrap(ReadOnlySpan<byte> wrappingKey, byte[] body, string stanzaType)
    {
        if (body.Length != WrappedSize)
        {
            throw AgeException.Header($"Invalid {stanzaType} stanza: wrapped file key has {body.Length} bytes, expected {WrappedSize}.");
        }
        Span<byte> nonce = stackalloc byte[12];
        nonce.Clear();
        var fileKey = new byte[FileKeySize];
        using var aead = new ChaCha20Poly1305(wrappingKey);
        try
        {
            aead.Decrypt(nonce, body.AsSpan(0, FileKeySize), body.AsSpan(FileKeySize), fileKey);
        }
        catch (AuthenticationTagMismatchException)
        {
            // Not addressed to us: the caller moves on to the next stanza.
            return null;
        }
        return fileKey;
    }
}
