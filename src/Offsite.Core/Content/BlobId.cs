using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Offsite.Core.Content;

/// <summary>
/// The 32-byte identifier of a blob: HMAC-SHA256 keyed with the repository's blob-id key over the
/// plaintext. Keyed, so that someone who can list or read the bucket learns nothing about content
/// (no confirmation-of-file attacks). Stored as four words for cheap hashing and comparison.
/// </summary>
public readonly struct BlobId : IEquatable<BlobId>, IComparable<BlobId>
{
    public const int Size = 32;
    private readonly ulong _a, _b, _c, _d;

    public BlobId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a blob id is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    public static BlobId Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        Span<byte> mac = stackalloc byte[Size];
        HMACSHA256.HashData(key, data, mac);
        return new BlobId(mac);
    }

    public static BlobId Parse(string hex)
    {
        if (hex.Length != Size * 2)
        {
            throw new FormatException($"a blob id is {Size * 2} hex digits: '{hex}'");
        }
        Span<byte> bytes = stackalloc byte[Size];
        Convert.FromHexString(hex, bytes, out _, out _);
        return new BlobId(bytes);
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>The id's first 8 bytes as a number: ids sort by it first (<see cref="CompareTo"/>), and it is as uniform as the id.</summary>
    internal ulong Prefix => _a;

    /// <summary>First 8 hex digits, for messages.</summary>
    public string Short => ToString()[..8];

    public bool Equals(BlobId other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;
    public override bool Equals(object? obj) => obj is BlobId other && Equals(other);
    // The id is already a uniformly distributed MAC: any 32 bits of it are a good hash.
    public override int GetHashCode() => (int)_a;
    public int CompareTo(BlobId other)
    {
        int c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        if (c != 0) return c;
        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }

    public static bool operator ==(BlobId left, BlobId right) => left.Equals(right);
    public static bool operator !=(BlobId left, BlobId right) => !left.Equals(right);
    public static bool operator <(BlobId left, BlobId right) => left.CompareTo(right) < 0;
    public static bool operator >(BlobId left, BlobId right) => left.CompareTo(right) > 0;
    public static bool operator <=(BlobId left, BlobId right) => left.CompareTo(right) <= 0;
    public static bool operator >=(BlobId left, BlobId right) => left.CompareTo(right) >= 0;
}

/// <summary>What a blob holds: file data or a serialized directory tree.</summary>
public enum BlobType : byte
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName("data")] Data = 0,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("tree")] Tree = 1,
}

/// <summary>How a blob's bytes are stored inside a pack.</summary>
public enum BlobCompression : byte
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName("none")] None = 0,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("zstd")] Zstd = 1,
}
