using System.Runtime.InteropServices;

namespace Offsite.Codecs.Compression;

/// <summary>
/// Turns zstd's size_t-encoded error codes into exceptions. Every size_t returned by libzstd must go through
/// here: error codes are huge positive numbers that would otherwise be mistaken for byte counts.
/// </summary>
internal static class ZstdErrors
{
    internal static bool IsError(nuint code) => ZstdNative.IsError(code) != 0;

    internal static bool IsDstSizeTooSmall(nuint code) =>
        IsError(code) && ZstdNative.GetErrorCode(code) == ZstdNative.ErrorDstSizeTooSmall;

    internal static string Name(nuint code) =>
        Marshal.PtrToStringUTF8(ZstdNative.GetErrorName(code)) ?? "unknown zstd error";

    /// <summary>For decoding: a failure means the input (or the caller's size expectation) is bad.</summary>
    internal static nuint ThrowIfDataError(nuint code)
    {
        if (IsError(code))
        {
            throw new InvalidDataException("zstd: " + Name(code));
        }

        return code;
    }

    /// <summary>For encoding and setup: a failure is a programming or resource problem, not bad data.</summary>
    internal static nuint ThrowIfOperationError(nuint code)
    {
        if (IsError(code))
        {
            throw new InvalidOperationException("zstd: " + Name(code));
        }

        return code;
    }
}
