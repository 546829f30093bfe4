using System.Buffers;
using System.Buffers.Text;

namespace Offsite.Crypto.Age;

/// <summary>
/// The age header's base64: standard alphabet, no padding, and strict (canonical) decoding like Go's
/// base64.RawStdEncoding.Strict(). Strictness matters because the header MAC covers the encoded text, so
/// any accepted alternative spelling would make headers malleable.
/// </summary>
internal static class RawBase64
{
    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=');

    /// <summary>Decodes ASCII text; returns null if it is not the unique canonical unpadded encoding of some bytes.</summary>
    public static byte[]? Decode(ReadOnlySpan<byte> text)
    {
        // A remainder of 1 character can never be valid; padding and whitespace are rejected by the
        // canonical round-trip check below (the BCL decoder would otherwise skip whitespace).
        if (text.Length % 4 == 1)
        {
            return null;
        }
        foreach (byte c in text)
        {
            if (!IsAlphabet(c))
            {
                return null;
            }
        }
        int padding = (4 - (text.Length % 4)) % 4;
        byte[] padded = ArrayPool<byte>.Shared.Rent(text.Length + padding);
        try
        {
            text.CopyTo(padded);
            padded.AsSpan(text.Length, padding).Fill((byte)'=');
            var result = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length + padding)];
            OperationStatus status = Base64.DecodeFromUtf8(padded.AsSpan(0, text.Length + padding), result, out _, out int written);
            if (status != OperationStatus.Done)
            {
                return null;
            }
            byte[] decoded = result.AsSpan(0, written).ToArray();
            // Non-zero trailing bits decode fine but re-encode differently: reject them.
            if (!Encode(decoded).AsSpan().SequenceEqual(System.Text.Encoding.ASCII.GetString(text)))
            {
                return null;
            }
            return decoded;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(padded);
        }
    }

    public static byte[]? Decode(string text) => Decode(System.Text.Encoding.ASCII.GetBytes(text));

    private static bool IsAlphabet(byte c) =>
        c is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'+' or (byte)'/';
}
