using System.Buffers.Binary;
using System.Text;

namespace Offsite.Codecs.Tests.Support;

/// <summary>
/// Reproducible test inputs. SplitMix64 rather than System.Random: it is fast enough for hundreds of MiB and its
/// output is fixed by definition, which the golden-boundary tests rely on.
/// </summary>
internal static class TestData
{
    public static byte[] Random(int length, ulong seed)
    {
        var data = new byte[length];
        Fill(data, ref seed);
        return data;
    }

    /// <summary>Fills <paramref name="destination"/> with the SplitMix64 stream, 8 little-endian bytes per step.</summary>
    public static void Fill(Span<byte> destination, ref ulong state)
    {
        int i = 0;
        for (; i + 8 <= destination.Length; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[i..], SplitMix64(ref state));
        }

        if (i < destination.Length)
        {
            Span<byte> tail = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(tail, SplitMix64(ref state));
            tail[..(destination.Length - i)].CopyTo(destination[i..]);
        }
    }

    public static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Log-like text: highly compressible but not trivially repetitive.</summary>
    public static byte[] Compressible(int length)
    {
        var text = new StringBuilder(length + 128);
        ulong state = 42;
        for (int line = 0; text.Length < length; line++)
        {
            ulong r = SplitMix64(ref state);
            text.Append("2024-05-01T12:00:").Append(line % 60).Append(" INFO worker-").Append(r % 8)
                .Append(" processed request id=").Append(r % 100_000).Append(" status=200\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    public static byte[] Seed(byte fill)
    {
        var seed = new byte[32];
        for (int i = 0; i < seed.Length; i++)
        {
            seed[i] = (byte)(fill + i);
        }

        return seed;
    }
}
