using System.Security.Cryptography;

namespace Offsite.Crypto.Age;

/// <summary>
/// Entry points for age v1 files (age-encryption.org/v1): whole-buffer, streaming and random access.
/// Output interoperates with the age CLI; parsing is as strict as the Go reference implementation.
/// ASCII armor is not supported (<see cref="AgeErrorKind.Unsupported"/>).
/// </summary>
public static class AgeFile
{
    /// <summary>Encrypts a whole buffer to the recipients (with a fresh random file key).</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, IReadOnlyList<IRecipient> recipients)
    {
        Span<byte> fileKey = stackalloc byte[FileKeyWrap.FileKeySize];
        try
        {
            byte[] header = HeaderUnwrap.BuildHeader(recipients, fileKey);
            long payloadLength = AgeSizes.EncryptedPayloadLength(plaintext.Length);
            long total = header.Length + PayloadCipher.FileNonceSize + payloadLength;
            if (total > Array.MaxLength)
            {
                throw new ArgumentException("Plaintext too large for a single buffer; use OpenWrite.", nameof(plaintext));
            }
            var output = new byte[total];
            header.CopyTo(output, 0);
            Span<byte> nonce = output.AsSpan(header.Length, PayloadCipher.FileNonceSize);
            RandomNumberGenerator.Fill(nonce);

            using var cipher = new PayloadCipher(fileKey, nonce);
            Span<byte> payload = output.AsSpan(header.Length + PayloadCipher.FileNonceSize);
            long chunks = AgeSizes.ChunkCount(plaintext.Length);
            for (long i = 0; i < chunks; i++)
            {
                int start = (int)(i * PayloadCipher.ChunkSize);
                int size = Math.Min(PayloadCipher.ChunkSize, plaintext.Length - start);
                cipher.EncryptChunk(i, i == chunks - 1, plaintext.Slice(start, size),
                    payload.Slice((int)(i * PayloadCipher.CipherChunkSize), size + PayloadCipher.TagSize));
            }
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    /// <summary>
    /// Decrypts a whole age file. Throws <see cref="AgeException"/> on any failure; never returns partial or
    /// unauthenticated plaintext.
    /// </summary>
    public static byte[] Decrypt(ReadOnlySpan<byte> ageFile, IReadOnlyList<IIdentity> identities)
    {
        using AgeHeaderInfo info = OpenHeader(ageFile, identities, isComplete: true);
        long plainLength = info.PlaintextLength(ageFile.Length);
        var plaintext = new byte[plainLength];
        if (plainLength == 0)
        {
            // DecryptRange skips empty ranges, but an empty file still has one chunk whose tag must verify.
            info.VerifyEmptyPayload(ageFile[info.PayloadOffset..]);
        }
        else
        {
            info.DecryptRange(0, ageFile[info.PayloadOffset..], ageFile.Length, plaintext);
        }
        return plaintext;
    }

    /// <summary>
    /// Writes header and nonce to <paramref name="destination"/> now and returns a stream that encrypts what is
    /// written to it. Dispose (or DisposeAsync) writes the final chunk; an undisposed stream leaves an
    /// incomplete file that will fail to decrypt.
    /// </summary>
    public static Stream OpenWrite(Stream destination, IReadOnlyList<IRecipient> recipients, bool leaveOpen = false) =>
        AgeEncryptStream.Create(destination, recipients, leaveOpen);

    /// <summary>
    /// Reads and verifies the header from <paramref name="source"/> (throwing <see cref="AgeException"/> for
    /// header, match and MAC failures) and returns a stream of the plaintext. Payload problems surface as
    /// AgeException(PayloadFailure) from Read; Read returns 0 only after the complete payload verified.
    /// The source may be read ahead of the end of the age file.
    /// </summary>
    public static Stream OpenRead(Stream source, IReadOnlyList<IIdentity> identities, bool leaveOpen = false) =>
        AgeDecryptStream.Open(source, identities, leaveOpen);

    /// <summary>
    /// Parses and verifies the header from the first bytes of a file, for random access with
    /// <see cref="AgeHeaderInfo.DecryptRange(long, int, ReadOnlySpan{byte}, long)"/>. Throws
    /// AgeException(Truncated) if <paramref name="prefix"/> ends before the header and the 16-byte nonce do
    /// (fetch more and retry), and NoMatch/HeaderFailure/HmacFailure like <see cref="Decrypt"/>.
    /// The caller owns (and should dispose) the result.
    /// </summary>
    public static AgeHeaderInfo ReadHeader(ReadOnlySpan<byte> prefix, IReadOnlyList<IIdentity> identities) =>
        OpenHeader(prefix, identities, isComplete: false);

    private static AgeHeaderInfo OpenHeader(ReadOnlySpan<byte> data, IReadOnlyList<IIdentity> identities, bool isComplete)
    {
        ParsedHeader header = AgeHeader.TryParse(data, isComplete)
            ?? throw new AgeException(AgeErrorKind.Truncated, "The prefix ends inside the age header; fetch more bytes.");
        byte[] fileKey = HeaderUnwrap.UnwrapFileKey(header, data, identities);
        try
        {
            int payloadOffset = header.Length + PayloadCipher.FileNonceSize;
            if (data.Length < payloadOffset)
            {
                throw isComplete
                    ? AgeException.Header("The file ends before the payload nonce.")
                    : new AgeException(AgeErrorKind.Truncated, "The prefix ends inside the payload nonce; fetch more bytes.");
            }
            return new AgeHeaderInfo(payloadOffset, new PayloadCipher(fileKey, data.Slice(header.Length, PayloadCipher.FileNonceSize)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }
}
