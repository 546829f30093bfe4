using Offsite.Crypto.Age;

namespace Offsite.Crypto.Tests;

/// <summary>Corrupted and truncated files must fail with the right kind and never yield wrong plaintext.</summary>
public sealed class MalformedInputTests
{
    private static readonly X25519Identity Identity = X25519Identity.Generate();
    private static readonly byte[] Plain = RoundTripTests.Random((2 * 65536) + 1000, 42);
    private static readonly byte[] File = AgeFile.Encrypt(Plain, [Identity.Recipient]);
    private static readonly int PayloadOffset = PayloadStart();

    private static int PayloadStart()
    {
        using AgeHeaderInfo info = AgeFile.ReadHeader(File, [Identity]);
        return info.PayloadOffset;
    }

    public static TheoryData<int> TruncationPoints()
    {
        var points = new SortedSet<int>();
        for (int i = 0; i <= PayloadOffset + 40; i++)
        {
            points.Add(i); // every offset through header, nonce and into the first chunk
        }
        foreach (int chunkEnd in new[] { 65552, 2 * 65552 })
        {
            for (int d = -17; d <= 17; d++)
            {
                points.Add(PayloadOffset + chunkEnd + d);
            }
        }
        var rng = new Random(1);
        for (int i = 0; i < 40; i++)
        {
            points.Add(rng.Next(PayloadOffset, File.Length));
        }
        points.Add(File.Length - 1);
        var data = new TheoryData<int>();
        foreach (int p in points.Where(p => p < File.Length))
        {
            data.Add(p);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TruncationPoints))]
    public void Truncated_file_fails_with_header_or_payload_failure(int length)
    {
        byte[] truncated = File[..length];
        AgeErrorKind expected = length < PayloadOffset ? AgeErrorKind.HeaderFailure : AgeErrorKind.PayloadFailure;

        var ex = Assert.Throws<AgeException>(() => AgeFile.Decrypt(truncated, [Identity]));
        Assert.Equal(expected, ex.Kind);

        (AgeErrorKind? kind, byte[] released) = StreamDecrypt(truncated);
        Assert.Equal(expected, kind);
        AssertPrefixOfPlaintext(released);

        if (length < PayloadOffset)
        {
            // A prefix shorter than header + nonce is "fetch more" for random access.
            Assert.Equal(AgeErrorKind.Truncated, Assert.Throws<AgeException>(() => AgeFile.ReadHeader(truncated, [Identity])).Kind);
        }
    }

    [Fact]
    public void Every_bit_flip_in_the_header_is_rejected()
    {
        for (int i = 0; i < PayloadOffset - 16; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] corrupt = (byte[])File.Clone();
                corrupt[i] ^= (byte)(1 << bit);
                var ex = Assert.Throws<AgeException>(() => AgeFile.Decrypt(corrupt, [Identity]));
                Assert.True(ex.Kind is AgeErrorKind.HeaderFailure or AgeErrorKind.HmacFailure or AgeErrorKind.NoMatch,
                    $"byte {i} bit {bit}: {ex.Kind}");
                (AgeErrorKind? kind, byte[] released) = StreamDecrypt(corrupt);
                Assert.Equal(ex.Kind, kind);
                Assert.Empty(released);
            }
        }
    }

    [Fact]
    public void Bit_flips_in_nonce_and_payload_are_payload_failures()
    {
        var rng = new Random(2);
        var positions = Enumerable.Range(PayloadOffset - 16, 16 + 40).ToList();
        positions.AddRange(Enumerable.Range(0, 200).Select(_ => rng.Next(PayloadOffset, File.Length)));
        positions.Add(File.Length - 1);
        foreach (int i in positions)
        {
            byte[] corrupt = (byte[])File.Clone();
            corrupt[i] ^= (byte)(1 << rng.Next(8));
            var ex = Assert.Throws<AgeException>(() => AgeFile.Decrypt(corrupt, [Identity]));
            Assert.Equal(AgeErrorKind.PayloadFailure, ex.Kind);

            (AgeErrorKind? kind, byte[] released) = StreamDecrypt(corrupt);
            Assert.Equal(AgeErrorKind.PayloadFailure, kind);
            AssertPrefixOfPlaintext(released);
            // Only chunks before the damaged one may have been released.
            int damagedChunk = Math.Max(0, (i - PayloadOffset) / 65552);
            Assert.True(released.Length <= damagedChunk * 65536, $"position {i}: released {released.Length} bytes");
        }
    }

    [Fact]
    public void Trailing_data_and_appended_chunks_are_rejected()
    {
        byte[] extra = [.. File, 0];
        Assert.Equal(AgeErrorKind.PayloadFailure, Assert.Throws<AgeException>(() => AgeFile.Decrypt(extra, [Identity])).Kind);
        Assert.Equal(AgeErrorKind.PayloadFailure, StreamDecrypt(extra).Kind);

        // Dropping the middle chunk (reordering) must fail even though every remaining chunk is authentic.
        byte[] spliced = [.. File[..(PayloadOffset + 65552)], .. File[(PayloadOffset + (2 * 65552))..]];
        Assert.Equal(AgeErrorKind.PayloadFailure, Assert.Throws<AgeException>(() => AgeFile.Decrypt(spliced, [Identity])).Kind);
        Assert.Equal(AgeErrorKind.PayloadFailure, StreamDecrypt(spliced).Kind);
    }

    [Fact]
    public void Non_age_inputs_are_header_failures_and_armor_is_unsupported()
    {
        Assert.Equal(AgeErrorKind.HeaderFailure, Assert.Throws<AgeException>(() => AgeFile.Decrypt("hello world\n"u8, [Identity])).Kind);
        Assert.Equal(AgeErrorKind.HeaderFailure, Assert.Throws<AgeException>(() => AgeFile.Decrypt("age-encryption.org/v2\n"u8, [Identity])).Kind);
        byte[] armored = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"u8.ToArray();
        Assert.Equal(AgeErrorKind.Unsupported, Assert.Throws<AgeException>(() => AgeFile.Decrypt(armored, [Identity])).Kind);
        Assert.Equal(AgeErrorKind.Unsupported, Assert.Throws<AgeException>(() => AgeFile.OpenRead(new MemoryStream(armored), [Identity])).Kind);
        // A stream of garbage without newlines is rejected without reading it to the end.
        Assert.Equal(AgeErrorKind.HeaderFailure, Assert.Throws<AgeException>(() => AgeFile.OpenRead(new EndlessGarbage(), [Identity])).Kind);
    }

    private static void AssertPrefixOfPlaintext(byte[] released)
    {
        Assert.True(released.Length <= Plain.Length);
        Assert.True(released.AsSpan().SequenceEqual(Plain.AsSpan(0, released.Length)), "released bytes differ from the plaintext");
    }

    private static (AgeErrorKind? Kind, byte[] Released) StreamDecrypt(byte[] file)
    {
        var released = new MemoryStream();
        try
        {
            using Stream r = AgeFile.OpenRead(new MemoryStream(file), [Identity]);
            var buffer = new byte[10_000];
            int n;
            while ((n = r.Read(buffer, 0, buffer.Length)) > 0)
            {
                released.Write(buffer, 0, n);
            }
            return (null, released.ToArray());
        }
        catch (AgeException ex)
        {
            return (ex.Kind, released.ToArray());
        }
    }

    private sealed class EndlessGarbage : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'x');
            return count;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
