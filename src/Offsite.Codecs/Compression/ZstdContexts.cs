namespace Offsite.Codecs.Compression;

/// <summary>Native context creation; libzstd returns NULL only when it cannot allocate.</summary>
internal static class ZstdContexts
{
    internal static ZstdCompressionContextHandle CreateCompression()
    {
        ZstdCompressionContextHandle cctx = ZstdNative.CreateCCtx();
        if (cctx.IsInvalid)
        {
            cctx.Dispose();
            throw new OutOfMemoryException("ZSTD_createCCtx failed.");
        }

        return cctx;
    }

    internal static ZstdDecompressionContextHandle CreateDecompression()
    {
        ZstdDecompressionContextHandle dctx = ZstdNative.CreateDCtx();
        if (dctx.IsInvalid)
        {
            dctx.Dispose();
            throw new OutOfMemoryException("ZSTD_createDCtx failed.");
        }

        return dctx;
    }
}
