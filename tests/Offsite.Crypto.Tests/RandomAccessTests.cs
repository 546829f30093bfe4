using Offsite.Crypto.Age;

namespace Offsite.Crypto.Tests;

public sealed class RandomAccessTests
{
    private static readonly X25519Identity Identity = X25519Identity.Generate();

    [Theory]
    [InlineData(1)]
    [InlineData(65536)]
    [InlineData(65537)]
    [InlineData(3 * 65536)]
    [InlineData(1_000_003)]
    public void Random_ranges_decrypt_like_the_whole_file(int size)
    {
        byte[] plain = RoundTripTests.Random(size, size);
        byte[] file = AgeFile.Encrypt(plain, [Identity.Recipient]);
        using AgeHeaderInfo info = AgeFile.ReadHeader(file.AsSpan(0, Math.Min(file.Length, 4096)), [Identity]);

        var rng = new Random(size);
        var ranges = new List<(long, int)> { (0, size), (size - 1, 1), (0, 1) };
        if (size > 65536)
        {
            ranges.Add((65535, 2));
            ranges.Add((65536, size - 65536));
        }
        for (int i = 0; i < 150; i++)
        {
            long off = rng.NextInt64(size);
            ranges.Add((off, rng.Next(1, (int)Math.Min(size - off, 200_000) + 1)));
        }
        foreach ((long off, int len) in ranges)
        {
            (long cipherOffset, long cipherLength) = info.CipherRange(off, len, file.Length);
            Assert.Equal((cipherOffset, cipherLength), AgeHeaderInfo.CipherRange(info.PayloadOffset, off, len, file.Length));
            byte[] got = info.DecryptRange(off, len, file.AsSpan((int)cipherOffset, (int)cipherLength), file.Length);
            Assert.True(got.AsSpan().SequenceEqual(plain.AsSpan((int)off, len)), $"range {off}+{len}");
        }
    }

    [Fact]
    public void Header_prefix_too_short_is_truncated_until_header_and_nonce_are_present()
    {
        byte[] file = AgeFile.Encrypt(new byte[100_000], [Identity.Recipient]);
        int payloadOffset;
        using (AgeHeaderInfo full = AgeFile.ReadHeader(file, [Identity]))
        {
            payloadOffset = full.PayloadOffset;
        }
        for (int n = 0; n < payloadOffset; n++)
        {
            Assert.Equal(AgeErrorKind.Truncated, Assert.Throws<AgeException>(() => AgeFile.ReadHeader(file.AsSpan(0, n), [Identity])).Kind);
        }
        using AgeHeaderInfo info = AgeFile.ReadHeader(file.AsSpan(0, payloadOffset), [Identity]);
        Assert.Equal(payloadOffset, info.PayloadOffset);
    }

    [Fact]
    public void Tampered_short_or_misplaced_ranges_fail()
    {
        byte[] plain = RoundTripTests.Random(5 * 65536, 9);
        byte[] file = AgeFile.Encrypt(plain, [Identity.Recipient]);
        using AgeHeaderInfo info = AgeFile.ReadHeader(file, [Identity]);
        (long off, long len) = info.CipherRange(70_000, 1000, file.Length);
        byte[] range = file.AsSpan((int)off, (int)len).ToArray();

        byte[] flipped = (byte[])range.Clone();
        flipped[500] ^= 4;
        Assert.Equal(AgeErrorKind.PayloadFailure, Assert.Throws<AgeException>(() => info.DecryptRange(70_000, 1000, flipped, file.Length)).Kind);

        Assert.Equal(AgeErrorKind.Truncated, Assert.Throws<AgeException>(() => info.DecryptRange(70_000, 1000, range.AsSpan(0, range.Length - 1), file.Length)).Kind);

        // Chunk 2's ciphertext presented as chunk 1: the nonce binds chunk positions.
        (long off2, long len2) = info.CipherRange(2 * 65536, 1000, file.Length);
        Assert.Equal(AgeErrorKind.PayloadFailure, Assert.Throws<AgeException>(() =>
            info.DecryptRange(70_000, 1000, file.AsSpan((int)off2, (int)len2), file.Length)).Kind);

        // Lying about the file length turns a middle chunk into a "last" one, which must not authenticate.
        long fakeLength = off + len;
        Assert.Equal(AgeErrorKind.PayloadFailure, Assert.Throws<AgeException>(() => info.DecryptRange(70_000, 1000, range, fakeLength)).Kind);

        Assert.Throws<ArgumentOutOfRangeException>(() => info.DecryptRange(plain.Length - 10, 11, file.AsSpan((int)off), file.Length));
    }

    [Fact]
    public void Payload_sizes_are_consistent()
    {
        foreach (long n in new long[] { 0, 1, 65535, 65536, 65537, 3 * 65536, 5_000_000 })
        {
            long enc = AgeSizes.EncryptedPayloadLength(n);
            Assert.Equal(n, AgeSizes.PlaintextLength(enc));
            Assert.Equal(n + (16 * Math.Max(1, (n + 65535) / 65536)), enc);
        }
        Assert.Throws<ArgumentException>(() => AgeSizes.PlaintextLength(0));
        Assert.Throws<ArgumentException>(() => AgeSizes.PlaintextLength(65552 + 16)); // empty final chunk after a full one
        Assert.Throws<ArgumentException>(() => AgeSizes.PlaintextLength(65552 + 5));
    }
}
