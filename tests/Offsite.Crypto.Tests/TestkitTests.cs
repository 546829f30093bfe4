using System.Security.Cryptography;
using Offsite.Crypto.Age;

namespace Offsite.Crypto.Tests;

/// <summary>Runs the C2SP age testkit through every decryption API.</summary>
public sealed class TestkitTests
{
    public static TheoryData<string> SupportedVectors()
    {
        var data = new TheoryData<string>();
        foreach (string name in TestkitVector.AllNames().Where(n => TestkitVector.Load(n).SkipReason is null))
        {
            data.Add(name);
        }
        return data;
    }

    /// <summary>
    /// The unsupported vectors are deliberately not run: this pins exactly which ones and why, so a new
    /// vector cannot silently be skipped.
    /// </summary>
    [Fact]
    public void Only_armor_and_hybrid_vectors_are_skipped()
    {
        var all = TestkitVector.AllNames().Select(TestkitVector.Load).ToList();
        var skipped = all.Where(v => v.SkipReason is not null).ToList();
        Assert.All(skipped, v => Assert.True(
            v.Name.StartsWith("armor_", StringComparison.Ordinal) || v.Name.StartsWith("hybrid", StringComparison.Ordinal),
            $"{v.Name} skipped: {v.SkipReason}"));
        Assert.Equal(143, all.Count);
        Assert.Equal(33, skipped.Count(v => v.Armored));
        Assert.Equal(18, skipped.Count(v => !v.Armored));
        Assert.Equal(92, all.Count - skipped.Count);
    }

    [Theory]
    [MemberData(nameof(SupportedVectors))]
    public void Whole_buffer_decrypt_matches_expectation(string name)
    {
        TestkitVector v = TestkitVector.Load(name);
        AgeErrorKind? expectedKind = ExpectedKind(v.Expect);
        if (expectedKind is null)
        {
            byte[] plaintext = AgeFile.Decrypt(v.Body, Identities(v));
            Assert.Equal(v.PayloadSha256, Sha256Hex(plaintext));
        }
        else
        {
            var ex = Assert.Throws<AgeException>(() => AgeFile.Decrypt(v.Body, Identities(v)));
            Assert.Equal(expectedKind, ex.Kind);
        }
    }

    [Theory]
    [MemberData(nameof(SupportedVectors))]
    public void Streaming_decrypt_matches_expectation_and_released_plaintext(string name)
    {
        foreach (int readSize in new[] { 1 << 20, 4093 })
        {
            TestkitVector v = TestkitVector.Load(name);
            (AgeErrorKind? kind, byte[] released) = StreamDecrypt(v, readSize);
            Assert.Equal(ExpectedKind(v.Expect), kind);
            if (v.PayloadSha256 is not null)
            {
                // For payload failures this is the plaintext released before the error.
                Assert.Equal(v.PayloadSha256, Sha256Hex(released));
            }
            else
            {
                Assert.Empty(released);
            }
        }
    }

    [Theory]
    [MemberData(nameof(SupportedVectors))]
    public async Task Async_streaming_decrypt_matches_expectation(string name)
    {
        TestkitVector v = TestkitVector.Load(name);
        var released = new MemoryStream();
        AgeErrorKind? kind = null;
        try
        {
            await using Stream s = AgeFile.OpenRead(new MemoryStream(v.Body), Identities(v));
            await s.CopyToAsync(released);
        }
        catch (AgeException ex)
        {
            kind = ex.Kind;
        }
        Assert.Equal(ExpectedKind(v.Expect), kind);
        if (v.PayloadSha256 is not null)
        {
            Assert.Equal(v.PayloadSha256, Sha256Hex(released.ToArray()));
        }
    }

    [Theory]
    [MemberData(nameof(SupportedVectors))]
    public void Random_access_agrees_on_successful_vectors(string name)
    {
        TestkitVector v = TestkitVector.Load(name);
        if (v.Expect != "success")
        {
            return;
        }
        using AgeHeaderInfo info = AgeFile.ReadHeader(v.Body, Identities(v));
        long length = info.PlaintextLength(v.Body.Length);
        (long offset, long cipherLength) = info.CipherRange(0, length, v.Body.Length);
        byte[] plain = AgeFile.Decrypt(v.Body, Identities(v));
        if (length > 0)
        {
            Assert.Equal(plain, info.DecryptRange(0, (int)length, v.Body.AsSpan((int)offset, (int)cipherLength), v.Body.Length));
        }
    }

    internal static (AgeErrorKind? Kind, byte[] Released) StreamDecrypt(TestkitVector v, int readSize)
    {
        var released = new MemoryStream();
        try
        {
            using Stream s = AgeFile.OpenRead(new MemoryStream(v.Body), Identities(v));
            var buffer = new byte[readSize];
            int n;
            while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
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

    private static List<IIdentity> Identities(TestkitVector v)
    {
        var ids = new List<IIdentity>();
        ids.AddRange(v.Identities.Select(X25519Identity.Parse));
        ids.AddRange(v.Passphrases.Select(p => new ScryptIdentity(p)));
        if (ids.Count == 0)
        {
            // e.g. "empty": the header must fail before any identity is consulted.
            ids.Add(X25519Identity.Generate());
        }
        return ids;
    }

    private static AgeErrorKind? ExpectedKind(string expect) => expect switch
    {
        "success" => null,
        "no match" => AgeErrorKind.NoMatch,
        "HMAC failure" => AgeErrorKind.HmacFailure,
        "header failure" => AgeErrorKind.HeaderFailure,
        "payload failure" => AgeErrorKind.PayloadFailure,
        _ => throw new InvalidDataException($"unexpected expectation '{expect}'"),
    };

    internal static string Sha256Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
