using Microsoft.Win32.SafeHandles;

namespace Offsite.Crypto.Native;

/// <summary>Owns an OpenSSL EVP_PKEY*; released with EVP_PKEY_free.</summary>
internal sealed class EvpPkeyHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public EvpPkeyHandle() : base(ownsHandle: true) { }

    protected override bool ReleaseHandle()
    {
        LibCrypto.EvpPkeyFree(handle);
        return true;
    }
}

/// <summary>Owns an OpenSSL EVP_PKEY_CTX*; released with EVP_PKEY_CTX_free.</summary>
internal sealed class EvpPkeyCtxHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public EvpPkeyCtxHandle() : base(ownsHandle: true) { }

    protected override bool ReleaseHandle()
    {
        LibCrypto.EvpPkeyCtxFree(handle);
        return true;
    }
}
