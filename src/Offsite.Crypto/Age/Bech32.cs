using System.Text;

namespace Offsite.Crypto.Age;

/// <summary>
/// BIP-173 Bech32 as used by age for recipients (age1…) and identities (AGE-SECRET-KEY-1…).
/// Like age's own implementation, and unlike BIP-173, there is no 90-character limit; mixed case is rejected
/// and the human-readable part keeps the case it was written in so callers can insist on it.
/// </summary>
internal static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    /// <summary>Encodes data; the output is upper case if and only if <paramref name="hrp"/> is.</summary>
    public static string Encode(string hrp, ReadOnlySpan<byte> data)
    {
        if (hrp.Length == 0 || !IsPrintable(hrp))
        {
            throw new ArgumentException("Invalid bech32 human-readable part.", nameof(hrp));
        }
        string lowerHrp = hrp.ToLowerInvariant();
        bool upper = hrp != lowerHrp;
        if (upper && hrp.ToUpperInvariant() != hrp)
        {
            throw new ArgumentException("Mixed-case bech32 human-readable part.", nameof(hrp));
        }

        byte[] values = ConvertBits(data, 8, 5, pad: true)
            ?? throw new InvalidOperationException("8-to-5 bit conversion with padding cannot fail.");
        byte[] checksum = CreateChecksum(lowerHrp, values);

        var sb = new StringBuilder(lowerHrp.Length + 1 + values.Length + checksum.Length);
        sb.Append(lowerHrp).Append('1');
        foreach (byte v in values)
        {
            sb.Append(Charset[v]);
        }
        foreach (byte v in checksum)
        {
            sb.Append(Charset[v]);
        }
        string result = sb.ToString();
        return upper ? result.ToUpperInvariant() : result;
    }

    /// <summary>Decodes a bech32 string; returns false on any syntax, charset, checksum or padding error.</summary>
    public static bool TryDecode(string s, out string hrp, out byte[] data)
    {
        hrp = string.Empty;
        data = [];
        if (s.ToLowerInvariant() != s && s.ToUpperInvariant() != s)
        {
            return false;
        }
        int pos = s.LastIndexOf('1');
        if (pos < 1 || pos + 7 > s.Length)
        {
            return false;
        }
        string rawHrp = s[..pos];
        if (!IsPrintable(rawHrp))
        {
            return false;
        }
        string lower = s.ToLowerInvariant();
        var values = new byte[s.Length - pos - 1];
        for (int i = 0; i < values.Length; i++)
        {
            int d = Charset.IndexOf(lower[pos + 1 + i], StringComparison.Ordinal);
            if (d < 0)
            {
                return false;
            }
            values[i] = (byte)d;
        }
        if (Polymod(ExpandHrp(rawHrp.ToLowerInvariant()), values) != 1)
        {
            return false;
        }
        byte[]? decoded = ConvertBits(values.AsSpan(0, values.Length - 6), 5, 8, pad: false);
        if (decoded is null)
        {
            return false;
        }
        hrp = rawHrp;
        data = decoded;
        return true;
    }

    private static bool IsPrintable(string s)
    {
        foreach (char c in s)
        {
            if (c < 33 || c > 126)
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] ExpandHrp(string hrp)
    {
        var result = new byte[(hrp.Length * 2) + 1];
        for (int i = 0; i < hrp.Length; i++)
        {
            result[i] = (byte)(hrp[i] >> 5);
            result[i + hrp.Length + 1] = (byte)(hrp[i] & 31);
        }
        return result;
    }

    private static uint Polymod(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        uint chk = 1;
        Step(ref chk, first);
        Step(ref chk, second);
        return chk;

        static void Step(ref uint chk, ReadOnlySpan<byte> values)
        {
            foreach (byte v in values)
            {
                uint top = chk >> 25;
                chk = ((chk & 0x1ffffff) << 5) ^ v;
                for (int i = 0; i < 5; i++)
                {
                    if (((top >> i) & 1) != 0)
                    {
                        chk ^= Generator[i];
                    }
                }
            }
        }
    }

    private static byte[] CreateChecksum(string lowerHrp, byte[] values)
    {
        var padded = new byte[values.Length + 6];
        values.CopyTo(padded, 0);
        uint mod = Polymod(ExpandHrp(lowerHrp), padded) ^ 1;
        var result = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            result[i] = (byte)((mod >> (5 * (5 - i))) & 31);
        }
        return result;
    }

    /// <summary>Regroups bits; without padding, leftover bits must be fewer than fromBits and all zero.</summary>
    private static byte[]? ConvertBits(ReadOnlySpan<byte> data, int fromBits, int toBits, bool pad)
    {
        int acc = 0;
        int bits = 0;
        int maxV = (1 << toBits) - 1;
        var result = new List<byte>((data.Length * fromBits / toBits) + 1);
        foreach (byte value in data)
        {
            if (value >> fromBits != 0)
            {
                return null;
            }
            acc = (acc << fromBits) | value;
            bits += fromBits;
            while (bits >= toBits)
            {
                bits -= toBits;
                result.Add((byte)((acc >> bits) & maxV));
            }
        }
        if (pad)
        {
            if (bits > 0)
            {
                result.Add((byte)((acc << (toBits - bits)) & maxV));
            }
        }
        else if (bits >= fromBits || ((acc << (toBits - bits)) & maxV) != 0)
        {
            return null;
        }
        return [.. result];
    }
}
