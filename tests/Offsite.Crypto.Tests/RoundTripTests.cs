using System.Diagnostics;
using Offsite.Crypto.Age;
using Xunit.Abstractions;

namespace Offsite.Crypto.Tests;

public sealed class RoundTripTests(ITestOutputHelper output)
{
    private static readonly X25519Identity Identity = X25519Identity.Generate();

    public static TheoryData<int> Sizes() => [0, 1, 65535, 65536, 65537, 3 * 65536, 5_000_000];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Whole_buffer_round_trip(int size)
    {
        byte[] plain = Random(size, seed: size);
        byte[] file = AgeFile.Encrypt(plain, [Identity.Recipient]);
        using (AgeHeaderInfo info = AgeFile.ReadHeader(file, [Identity]))
        {
            Assert.Equal(file.Length, info.PayloadOffset + AgeSizes.EncryptedPayloadLength(size));
            Assert.Equal(size, info.PlaintextLength(file.Length));
        }
        Assert.Equal(plain, AgeFile.Decrypt(file, [Identity]));
        Assert.Equal(plain, StreamDecrypt(file, 65536));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Streaming_round_trip_with_uneven_writes_and_reads(int size)
    {
        byte[] plain = Random(size, seed: size + 1);
        var rng = new Random(size);
        var sink = new MemoryStream();
        using (Stream w = AgeFile.OpenWrite(sink, [Identity.Recipient], leaveOpen: true))
        {
            for (int pos = 0; pos < size;)
            {
                int n = Math.Min(size - pos, rng.Next(1, 200_000));
                w.Write(plain, pos, n);
                pos += n;
            }
        }
        byte[] file = sink.ToArray();
        Assert.Equal(plain, AgeFile.Decrypt(file, [Identity]));
        Assert.Equal(plain, StreamDecrypt(file, 7919));
        Assert.Equal(plain, StreamDecrypt(file, 1 << 20));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Async_streaming_round_trip(int size)
    {
        byte[] plain = Random(size, seed: size + 2);
        var sink = new MemoryStream();
        await using (Stream w = AgeFile.OpenWrite(sink, [Identity.Recipient], leaveOpen: true))
        {
            await w.WriteAsync(plain);
        }
        var result = new MemoryStream();
        await using (Stream r = AgeFile.OpenRead(new MemoryStream(sink.ToArray()), [Identity]))
        {
            await r.CopyToAsync(result);
        }
        Assert.Equal(plain, result.ToArray());
    }

    [Fact]
    public void Multiple_recipients_each_decrypt_and_others_do_not_match()
    {
        var a = X25519Identity.Generate();
        var b = X25519Identity.Generate();
        byte[] plain = Random(1000, 5);
        byte[] file = AgeFile.Encrypt(plain, [a.Recipient, b.Recipient]);
        Assert.Equal(plain, AgeFile.Decrypt(file, [a]));
        Assert.Equal(plain, AgeFile.Decrypt(file, [X25519Identity.Generate(), b]));
        var ex = Assert.Throws<AgeException>(() => AgeFile.Decrypt(file, [X25519Identity.Generate()]));
        Assert.Equal(AgeErrorKind.NoMatch, ex.Kind);
    }

    [Fact]
    public void Scrypt_round_trip_and_limits()
    {
        byte[] plain = Random(100_000, 6);
        byte[] file = AgeFile.Encrypt(plain, [new ScryptRecipient("pass phrase", logN: 12)]);
        Assert.Equal(plain, AgeFile.Decrypt(file, [new ScryptIdentity("pass phrase")]));
        Assert.Equal(plain, AgeFile.Decrypt(file, [X25519Identity.Generate(), new ScryptIdentity("pass phrase")]));
        Assert.Equal(AgeErrorKind.NoMatch, Assert.Throws<AgeException>(() => AgeFile.Decrypt(file, [new ScryptIdentity("other")])).Kind);
        // The work factor in the header is attacker-controlled; a low cap refuses it before running scrypt.
        Assert.Equal(AgeErrorKind.HeaderFailure,
            Assert.Throws<AgeException>(() => AgeFile.Decrypt(file, [new ScryptIdentity("pass phrase", maxLogN: 11)])).Kind);
    }

    [Fact]
    public void Scrypt_recipient_cannot_be_combined_with_others()
    {
        Assert.Throws<ArgumentException>(() => AgeFile.Encrypt([1, 2, 3], [new ScryptRecipient("x", 10), Identity.Recipient]));
        Assert.Throws<ArgumentException>(() => AgeFile.Encrypt([1, 2, 3], [new ScryptRecipient("x", 10), new ScryptRecipient("y", 10)]));
    }

    [Fact]
    public void Empty_recipient_or_identity_lists_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => AgeFile.Encrypt([1], []));
        byte[] file = AgeFile.Encrypt([1], [Identity.Recipient]);
        Assert.Throws<ArgumentException>(() => AgeFile.Decrypt(file, []));
    }

    [Fact]
    public void Sixteen_MiB_encrypt_runs_at_cipher_speed_without_per_chunk_allocation()
    {
        byte[] plain = Random(16 << 20, 7);
        AgeFile.Encrypt(plain[..100_000], [Identity.Recipient]); // warm up JIT and OpenSSL

        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        byte[] file = AgeFile.Encrypt(plain, [Identity.Recipient]);
        sw.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"Encrypt 16 MiB: {sw.ElapsedMilliseconds} ms, {allocated - file.Length} bytes allocated besides the output");
        Assert.True(allocated - file.Length < 256 * 1024, $"allocated {allocated - file.Length} extra bytes");

        before = GC.GetAllocatedBytesForCurrentThread();
        sw.Restart();
        byte[] back = AgeFile.Decrypt(file, [Identity]);
        sw.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"Decrypt 16 MiB: {sw.ElapsedMilliseconds} ms, {allocated - back.Length} bytes allocated besides the output");
        Assert.True(allocated - back.Length < 256 * 1024, $"allocated {allocated - back.Length} extra bytes");
        Assert.Equal(plain, back);

        before = GC.GetAllocatedBytesForCurrentThread();
        sw.Restart();
        using (Stream w = AgeFile.OpenWrite(Stream.Null, [Identity.Recipient]))
        {
            w.Write(plain);
        }
        sw.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"OpenWrite 16 MiB: {sw.ElapsedMilliseconds} ms, {allocated} bytes allocated");
        Assert.True(allocated < 256 * 1024, $"streaming encryption allocated {allocated} bytes");
    }

    internal static byte[] StreamDecrypt(byte[] file, int readSize)
    {
        using Stream r = AgeFile.OpenRead(new MemoryStream(file), [Identity]);
        var result = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = r.Read(buffer, 0, buffer.Length)) > 0)
        {
            result.Write(buffer, 0, n);
        }
        return result.ToArray();
    }

    internal static byte[] Random(int size, int seed)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        return b;
    }
}
