using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Offsite.Codecs.Chunking;

/// <summary>
/// The 256-entry gear table of the FastCDC rolling hash, derived from a secret per-repository seed.
/// A public table would let anyone who can guess some of the plaintext predict chunk boundaries, and chunk
/// sizes then leak which known files a repository contains; a keyed table makes boundaries unpredictable.
/// </summary>
/// <remarks>
/// <para><b>Derivation (part of the on-disk format; changing it breaks deduplication with existing repositories):</b></para>
/// <code>
/// for i in 0..255:
///     mac     = HMAC-SHA256(key = seed (32 bytes), message = ASCII("offsite-gear") || byte(i))   // 13-byte message
///     gear[i] = little-endian uint64 of mac[0..8]
/// </code>
/// <para>That is, the message is the 12 ASCII bytes <c>6f 66 66 73 69 74 65 2d 67 65 61 72</c> followed by one byte equal to i.</para>
/// </remarks>
public sealed class GearTable
{
    public const int SeedLength = 32;
    public const int Length = 256;

    private static ReadOnlySpan<byte> Label => "offsite-gear"u8;

    private readonly ulong[] _entries = new ulong[Length];

    /// <exception cref="ArgumentException"><paramref name="seed32"/> is not exactly 32 bytes.</exception>
    public GearTable(ReadOnlySpan<byte> seed32)
    {
        if (seed32.Length != SeedLength)
        {
            throw new ArgumentException($"Gear seed must be exactly {SeedLength} bytes, got {seed32.Length}.", nameof(seed32));
        }

        Span<byte> message = stackalloc byte[Label.Length + 1];
        Label.CopyTo(message);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        for (int i = 0; i < Length; i++)
        {
            message[^1] = (byte)i;
            HMACSHA256.HashData(seed32, message, mac);
            _entries[i] = BinaryPrimitives.ReadUInt64LittleEndian(mac);
        }

        // The mac buffer holds seed-derived material; do not leave it on the stack.
        CryptographicOperations.ZeroMemory(mac);
    }

    /// <summary>Entry <paramref name="index"/> (0..255); exposed so tests can pin the derivation.</summary>
    public ulong this[int index] => _entries[index];

    /// <summary>A private copy for the chunker's hot loop, which indexes it without bounds checks.</summary>
    internal ulong[] CopyEntries() => (ulong[])_entries.Clone();
}
