using System.Security.Cryptography;
using Offsite.Crypto.Native;

namespace Offsite.Crypto;

/// <summary>scrypt (RFC 7914) via OpenSSL's EVP_PBE_scrypt; the BCL does not ship scrypt.</summary>
public static class Scrypt
{
    /// <summary>Highest accepted log2(N); 2^30 with r=8 already needs 128 GiB, so anything above is a bug.</summary>
    public const int MaxLogN = 30;

    /// <summary>
    /// Derives <paramref name="output"/>.Length bytes with N = 2^<paramref name="logN"/>.
    /// Memory use is about 128·r·N bytes (256 MiB for logN=18, r=8), which OpenSSL is explicitly allowed to use.
    /// </summary>
    public static unsafe void DeriveKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int logN, int r, int p, Span<byte> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(logN, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(logN, MaxLogN);
        ArgumentOutOfRangeException.ThrowIfLessThan(r, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 1);
        if (output.IsEmpty)
        {
            throw new ArgumentException("Output must not be empty.", nameof(output));
        }

        ulong n = 1UL << logN;
        // OpenSSL's default cap is 32 MiB; raise it to what these parameters need (V = 128·r·(N+2), B = 128·r·p)
        // plus slack, so the cap never rejects legitimate parameters but still bounds runaway values.
        ulong maxMemory = (128UL * (ulong)r * (n + 2)) + (128UL * (ulong)r * (ulong)p) + (1UL << 20);

        int rc;
        fixed (byte* pw = password)
        fixed (byte* s = salt)
        fixed (byte* o = output)
        {
            // OpenSSL treats a NULL pass/salt pointer as "use the empty string"; fixed on an empty span yields
            // NULL, which is what we want for empty inputs.
            rc = LibCrypto.EvpPbeScrypt(pw, (nuint)password.Length, s, (nuint)salt.Length,
                n, (ulong)r, (ulong)p, maxMemory, o, (nuint)output.Length);
        }
        if (rc != 1)
        {
            CryptographicOperations.ZeroMemory(output);
            throw LibCrypto.Failure("EVP_PBE_scrypt");
        }
    }
}
