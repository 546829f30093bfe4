using System.Runtime.InteropServices;

namespace Offsite.Codecs.Compression;

/// <summary>
/// Raw bindings to the system libzstd. We bind the shared library instead of shipping a managed port
/// so that frames are byte-for-byte what the reference implementation (and the <c>zstd</c> CLI) produce.
/// Only the stable (non-experimental) API is used, so any libzstd 1.4+ works.
/// </summary>
internal static partial class ZstdNative
{
    private const string Library = "libzstd.so.1";

    // ZSTD_cParameter values from zstd.h (stable section).
    internal const int CompressionLevelParameter = 100;
    internal const int ContentSizeFlagParameter = 200;

    // ZSTD_EndDirective: ZSTD_e_continue, ZSTD_e_end
    internal const int EndContinue = 0;
    internal const int EndFrame = 2;

    // ZSTD_ResetDirective.ZSTD_reset_session_only
    internal const int ResetSessionOnly = 1;

    // ZSTD_ErrorCode.ZSTD_error_dstSize_tooSmall
    internal const int ErrorDstSizeTooSmall = 70;

    // ZSTD_CONTENTSIZE_UNKNOWN / ZSTD_CONTENTSIZE_ERROR
    internal const ulong ContentSizeUnknown = ulong.MaxValue;
    internal const ulong ContentSizeError = ulong.MaxValue - 1;

    /// <summary>Mirrors <c>ZSTD_inBuffer</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct InBuffer
    {
        public byte* Src;
        public nuint Size;
        public nuint Pos;
    }

    /// <summary>Mirrors <c>ZSTD_outBuffer</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct OutBuffer
    {
        public byte* Dst;
        public nuint Size;
        public nuint Pos;
    }

    [LibraryImport(Library, EntryPoint = "ZSTD_createCCtx")]
    internal static partial ZstdCompressionContextHandle CreateCCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeCCtx")]
    internal static partial nuint FreeCCtx(nint cctx);

    [LibraryImport(Library, EntryPoint = "ZSTD_CCtx_setParameter")]
    internal static partial nuint CCtxSetParameter(ZstdCompressionContextHandle cctx, int parameter, int value);

    [LibraryImport(Library, EntryPoint = "ZSTD_compress2")]
    internal static unsafe partial nuint Compress2(
        ZstdCompressionContextHandle cctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_compressStream2")]
    internal static unsafe partial nuint CompressStream2(
        ZstdCompressionContextHandle cctx, OutBuffer* output, InBuffer* input, int endOp);

    [LibraryImport(Library, EntryPoint = "ZSTD_CStreamOutSize")]
    internal static partial nuint CStreamOutSize();

    [LibraryImport(Library, EntryPoint = "ZSTD_compressBound")]
    internal static partial nuint CompressBound(nuint srcSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_minCLevel")]
    internal static partial int MinCLevel();

    [LibraryImport(Library, EntryPoint = "ZSTD_maxCLevel")]
    internal static partial int MaxCLevel();

    [LibraryImport(Library, EntryPoint = "ZSTD_createDCtx")]
    internal static partial ZstdDecompressionContextHandle CreateDCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDCtx")]
    internal static partial nuint FreeDCtx(nint dctx);

    [LibraryImport(Library, EntryPoint = "ZSTD_DCtx_reset")]
    internal static partial nuint DCtxReset(ZstdDecompressionContextHandle dctx, int directive);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressDCtx")]
    internal static unsafe partial nuint DecompressDCtx(
        ZstdDecompressionContextHandle dctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressStream")]
    internal static unsafe partial nuint DecompressStream(
        ZstdDecompressionContextHandle dctx, OutBuffer* output, InBuffer* input);

    [LibraryImport(Library, EntryPoint = "ZSTD_getFrameContentSize")]
    internal static unsafe partial ulong GetFrameContentSize(byte* src, nuint srcSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    internal static partial uint IsError(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorCode")]
    internal static partial int GetErrorCode(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorName")]
    internal static partial nint GetErrorName(nuint code);
}
