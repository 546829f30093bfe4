using System.Runtime.InteropServices;

namespace Offsite.Codecs.Compression;

/// <summary>
/// Owns a <c>ZSTD_CCtx*</c>. A SafeHandle (rather than a raw pointer plus finalizer) guarantees the context
/// is freed exactly once and never while a P/Invoke is still using it.
/// </summary>
internal sealed class ZstdCompressionContextHandle : SafeHandle
{
    // The P/Invoke marshaller needs a public parameterless constructor to materialize returned handles.
    public ZstdCompressionContextHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        // ZSTD_freeCCtx only fails for contexts that are still referenced by a static allocation,
        // which we never create; its return value carries nothing actionable here.
        ZstdNative.FreeCCtx(handle);
        return true;
    }
}

/// <summary>Owns a <c>ZSTD_DCtx*</c> (which is also a <c>ZSTD_DStream*</c> in the stable API).</summary>
internal sealed class ZstdDecompressionContextHandle : SafeHandle
{
    public ZstdDecompressionContextHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        ZstdNative.FreeDCtx(handle);
        return true;
    }
}
