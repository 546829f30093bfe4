using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Offsite.Crypto.Native;

/// <summary>
/// P/Invoke surface of the system OpenSSL 3 libcrypto for the two primitives the BCL does not expose
/// (X25519 and scrypt). Only the handful of functions we need are declared; everything else goes through
/// System.Security.Cryptography.
/// </summary>
internal static partial class LibCrypto
{
    private const string Lib = "libcrypto.so.3";

    /// <summary>NID_X25519 / EVP_PKEY_X25519 in OpenSSL's obj_mac.h.</summary>
    internal const int EvpPkeyX25519 = 1034;

    [LibraryImport(Lib, EntryPoint = "EVP_PKEY_new_raw_private_key")]
    internal static unsafe partial EvpPkeyHandle EvpPkeyNewRawPrivateKey(int type, IntPtr engine, byte* key, nuint keyLength);

    [LibraryImport(Lib, EntryPoint = "EVP_PKEY_new_raw_public_key")]
    internal static unsafe partial EvpPkeyHandle EvpPkeyNewRawPublicKey(int type, IntPtr engine, byte* key, nuint keyLength);

    [LibraryImport(Lib, EntryPoint = "EVP_PKEY_get_raw_public_key")]
    internal static unsafe partial int EvpPkeyGetRawPublicKey(EvpPkeyHandle pkey, byte* publicKey, nuint* length);

    [LibraryImport(Lib, EntryPoint = "EVP_PKEY_free")]
    internal static partial void EvpPkeyFree(IntPtr pkey);

    [LibraryImport(Lib, EntryPoint = "EVP_PKEY_CTX_new")]
    internal static partial EvpPkeyCtxHandle EvpPkeyCtxNew(EvpPkeyHandle pkey, IntPtr engine);

    [LibraryImport(Lib, EntryPoint = "EVP_PKEY_CTX_free")]
    internal static partial void EvpPkeyCtxFree(IntPtr ctx);

    [LibraryImport(Lib, EntryPoint = "EVP_PKEY_derive_init")]
    internal static partial int EvpPkeyDeriveInit(EvpPkeyCtxHandle ctx);

    [LibraryImport(Lib, EntryPoint = "EVP_PKEY_derive_set_peer")]
    internal static partial int EvpPkeyDeriveSetPeer(EvpPkeyCtxHandle ctx, EvpPkeyHandle peer);

    [LibraryImport(Lib, EntryPoint = "EVP_PKEY_derive")]
    internal static unsafe partial int EvpPkeyDerive(EvpPkeyCtxHandle ctx, byte* key, nuint* keyLength);

    [LibraryImport(Lib, EntryPoint = "EVP_PBE_scrypt")]
    internal static unsafe partial int EvpPbeScrypt(
        byte* pass, nuint passLength, byte* salt, nuint saltLength,
        ulong n, ulong r, ulong p, ulong maxMemory, byte* key, nuint keyLength);

    // unsigned long is 64-bit on the LP64 Linux targets we support, hence nuint.
    [LibraryImport(Lib, EntryPoint = "ERR_get_error")]
    private static partial nuint ErrGetError();

    [LibraryImport(Lib, EntryPoint = "ERR_error_string_n")]
    private static unsafe partial void ErrErrorStringN(nuint error, byte* buffer, nuint length);

    [LibraryImport(Lib, EntryPoint = "ERR_clear_error")]
    internal static partial void ErrClearError();

    /// <summary>
    /// Builds an exception from OpenSSL's thread-local error queue and clears the queue, so a stale error
    /// cannot be misattributed to a later, unrelated call (the BCL shares this libcrypto and error queue).
    /// </summary>
    internal static CryptographicException Failure(string operation)
    {
        nuint code = ErrGetError();
        string detail = "no OpenSSL error recorded";
        if (code != 0)
        {
            unsafe
            {
                byte* buffer = stackalloc byte[256];
                ErrErrorStringN(code, buffer, 256);
                detail = Marshal.PtrToStringUTF8((IntPtr)buffer) ?? detail;
            }
        }
        ErrClearError();
        return new CryptographicException($"OpenSSL {operation} failed: {detail}");
    }
}
