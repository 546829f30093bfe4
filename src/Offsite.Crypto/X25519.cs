using System.Security.Cryptography;
using Offsite.Crypto.Native;

namespace Offsite.Crypto;

/// <summary>
/// X25519 (RFC 7748) via the system OpenSSL, because the BCL has no Curve25519 Diffie-Hellman.
/// Keys are raw 32-byte little-endian scalars/u-coordinates; OpenSSL applies scalar clamping itself.
/// </summary>
public static class X25519
{
    /// <summary>Size of private keys, public keys and shared secrets.</summary>
    public const int KeySize = 32;

    /// <summary>Fills <paramref name="privateKey"/> with a fresh random private key.</summary>
    public static void GeneratePrivateKey(Span<byte> privateKey)
    {
        CheckSize(privateKey.Length, nameof(privateKey));
        RandomNumberGenerator.Fill(privateKey);
    }

    /// <summary>Computes the public key (scalar multiplication of the base point) for a private key.</summary>
    public static unsafe void GetPublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        CheckSize(privateKey.Length, nameof(privateKey));
        CheckSize(publicKey.Length, nameof(publicKey));
        using EvpPkeyHandle key = NewPrivateKey(privateKey);
        nuint length = KeySize;
        fixed (byte* p = publicKey)
        {
            if (LibCrypto.EvpPkeyGetRawPublicKey(key, p, &length) != 1 || length != KeySize)
            {
                throw LibCrypto.Failure("EVP_PKEY_get_raw_public_key");
            }
        }
    }

    /// <summary>
    /// Computes the X25519 shared secret. Returns false when the result would be the all-zero value,
    /// i.e. the peer sent a low-order point (OpenSSL refuses to derive in that case, and age requires
    /// rejecting it); the caller must treat that as a malformed peer key.
    /// </summary>
    public static unsafe bool TryComputeSharedSecret(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> peerPublicKey, Span<byte> sharedSecret)
    {
        CheckSize(privateKey.Length, nameof(privateKey));
        CheckSize(peerPublicKey.Length, nameof(peerPublicKey));
        CheckSize(sharedSecret.Length, nameof(sharedSecret));

        using EvpPkeyHandle key = NewPrivateKey(privateKey);
        using EvpPkeyHandle peer = NewPublicKey(peerPublicKey);
        using EvpPkeyCtxHandle ctx = LibCrypto.EvpPkeyCtxNew(key, IntPtr.Zero);
        if (ctx.IsInvalid)
        {
            throw LibCrypto.Failure("EVP_PKEY_CTX_new");
        }
        if (LibCrypto.EvpPkeyDeriveInit(ctx) != 1)
        {
            throw LibCrypto.Failure("EVP_PKEY_derive_init");
        }
        if (LibCrypto.EvpPkeyDeriveSetPeer(ctx, peer) != 1)
        {
            throw LibCrypto.Failure("EVP_PKEY_derive_set_peer");
        }

        nuint length = KeySize;
        int rc;
        fixed (byte* s = sharedSecret)
        {
            rc = LibCrypto.EvpPkeyDerive(ctx, s, &length);
        }
        if (rc != 1)
        {
            // OpenSSL's X25519 derive fails exactly when the output is all zeros (low-order peer point).
            LibCrypto.ErrClearError();
            sharedSecret.Clear();
            return false;
        }
        if (length != KeySize)
        {
            throw new CryptographicException($"EVP_PKEY_derive returned {length} bytes, expected {KeySize}.");
        }
        // Belt and braces: do not rely solely on the library for the all-zero check.
        Span<byte> zero = stackalloc byte[KeySize];
        zero.Clear();
        if (CryptographicOperations.FixedTimeEquals(sharedSecret, zero))
        {
            return false;
        }
        return true;
    }

    private static unsafe EvpPkeyHandle NewPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        EvpPkeyHandle handle;
        fixed (byte* p = privateKey)
        {
            handle = LibCrypto.EvpPkeyNewRawPrivateKey(LibCrypto.EvpPkeyX25519, IntPtr.Zero, p, KeySize);
        }
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw LibCrypto.Failure("EVP_PKEY_new_raw_private_key");
        }
        return handle;
    }

    private static unsafe EvpPkeyHandle NewPublicKey(ReadOnlySpan<byte> publicKey)
    {
        EvpPkeyHandle handle;
        fixed (byte* p = publicKey)
        {
            handle = LibCrypto.EvpPkeyNewRawPublicKey(LibCrypto.EvpPkeyX25519, IntPtr.Zero, p, KeySize);
        }
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw LibCrypto.Failure("EVP_PKEY_new_raw_public_key");
        }
        return handle;
    }

    private static void CheckSize(int length, string name)
    {
        if (length != KeySize)
        {
            throw new ArgumentException($"X25519 keys are {KeySize} bytes, got {length}.", name);
        }
    }
}
